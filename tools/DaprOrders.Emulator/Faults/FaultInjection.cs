namespace DaprOrders.Emulator.Faults;

public enum FaultKind
{
    /// <summary>The message is delivered twice (at-least-once brokers do this).</summary>
    Duplicate,

    /// <summary>Delivery waits <see cref="FaultRule.Delay"/> on the emulator's clock first.</summary>
    Delay,

    /// <summary>The broker loses the message for this subscriber: never delivered, no dead letter.</summary>
    Drop,

    /// <summary>A delivery attempt fails as a connection error without reaching the app (retried per resiliency).</summary>
    Fail,
}

/// <summary>Applies <see cref="Kind"/> to <see cref="Fraction"/> of the deliveries that match the app and topic (null = any).</summary>
public sealed record FaultRule(FaultKind Kind, double Fraction = 1, string? AppId = null, string? Topic = null, TimeSpan Delay = default)
{
    public bool Matches(string appId, string topic) =>
        (AppId is null || AppId == appId) && (Topic is null || Topic == topic);
}

/// <summary>
/// Faults injected into pub/sub delivery for tests. Decisions use a seeded random (EmulatorOptions.RandomSeed), so a
/// test with a fixed seed sees the same faults on every run. Resolve it from <c>emulator.Services</c>.
/// </summary>
public sealed class FaultInjection(EmulatorOptions options)
{
    private readonly Lock _lock = new();
    private readonly List<FaultRule> _rules = [];
    private readonly Random _random = new(options.RandomSeed ?? 0);

    public IReadOnlyList<FaultRule> Rules
    {
        get
        {
            lock (_lock)
            {
                return [.. _rules];
            }
        }
    }

    /// <summary>Adds a rule; dispose the result to remove it.</summary>
    public IDisposable Add(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (_lock)
        {
            _rules.Add(rule);
        }

        return new Removal(this, rule);
    }

    public IDisposable Duplicate(double fraction = 1, string? appId = null, string? topic = null) => Add(new FaultRule(FaultKind.Duplicate, fraction, appId, topic));

    public IDisposable Drop(double fraction = 1, string? appId = null, string? topic = null) => Add(new FaultRule(FaultKind.Drop, fraction, appId, topic));

    public IDisposable Fail(double fraction = 1, string? appId = null, string? topic = null) => Add(new FaultRule(FaultKind.Fail, fraction, appId, topic));

    public IDisposable Delay(TimeSpan delay, double fraction = 1, string? appId = null, string? topic = null) => Add(new FaultRule(FaultKind.Delay, fraction, appId, topic, delay));

    public void Clear()
    {
        lock (_lock)
        {
            _rules.Clear();
        }
    }

    /// <summary>The faults that hit this delivery (or attempt, for <see cref="FaultKind.Fail"/>).</summary>
    internal IReadOnlyList<FaultRule> Decide(string appId, string topic, params FaultKind[] kinds)
    {
        lock (_lock)
        {
            if (_rules.Count == 0)
            {
                return [];
            }

            var hits = new List<FaultRule>();
            foreach (var rule in _rules)
            {
                if (kinds.Contains(rule.Kind) && rule.Matches(appId, topic) && (rule.Fraction >= 1 || _random.NextDouble() < rule.Fraction))
                {
                    hits.Add(rule);
                }
            }

            return hits;
        }
    }

    private sealed class Removal(FaultInjection owner, FaultRule rule) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._rules.Remove(rule);
            }
        }
    }
}
