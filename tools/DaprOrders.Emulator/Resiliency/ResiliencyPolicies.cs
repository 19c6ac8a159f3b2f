using System.Collections.Concurrent;
using DaprOrders.Emulator.Resources;

namespace DaprOrders.Emulator.Resiliency;

/// <summary>
/// Resolves which timeout/retry/circuit breaker applies to a call, as daprd does: the named target first, then the
/// Default*Policy names, most specific first (dapr/dapr release-1.17 pkg/resiliency/policy.go). Circuit breakers keep state per calling app and
/// target, like each daprd process does.
/// </summary>
public sealed class ResiliencyPolicies(EmulatorResources resources, EmulatorClock clock, EmulatorOptions options)
{
    private readonly ConcurrentDictionary<string, CircuitBreaker> _breakers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string AppId, string Component, string Direction), ResiliencyPipeline> _componentPipelines = new();
    private readonly Random _jitter = options.RandomSeed is { } seed ? new Random(seed) : new Random();
    private readonly Lock _jitterLock = new();
    private int _retriesWaiting;
    private long _retryWaitsStarted;

    /// <summary>Calls of any kind waiting for a retry delay on the emulator's clock (tests advance a fake clock then).</summary>
    public int RetriesWaiting => Volatile.Read(ref _retriesWaiting);

    private void OnRetryWait(bool waiting)
    {
        if (waiting)
        {
            Interlocked.Increment(ref _retryWaitsStarted);
        }

        Interlocked.Add(ref _retriesWaiting, waiting ? 1 : -1);
    }

    /// <summary>Retry delays started so far; only grows, so a test cannot miss one between two retries.</summary>
    public long RetryWaitsStarted => Interlocked.Read(ref _retryWaitsStarted);

    /// <summary>
    /// Service invocation to <paramref name="targetAppId"/> (targets.apps). Without a retry policy daprd still retries
    /// connection failures with DaprBuiltInServiceRetries (constant 1 s, 3 retries; overridable by name, at least 3).
    /// </summary>
    public ResiliencyPipeline ForApp(string callerAppId, string targetAppId)
    {
        var pipeline = Pipeline(callerAppId, $"app:{targetAppId}", Find(callerAppId, r => r.Apps.GetValueOrDefault(targetAppId)), ["App", string.Empty]);
        if (pipeline.Policy.Retry is not null)
        {
            return pipeline;
        }

        var builtIn = BuiltInRetry(callerAppId, "DaprBuiltInServiceRetries",
            new RetryPolicy("DaprBuiltInServiceRetries", RetryBackoff.Constant, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), 3, null));
        builtIn = builtIn with { MaxRetries = Math.Max(3, builtIn.MaxRetries) };
        return new ResiliencyPipeline(pipeline.Policy with { Retry = builtIn }, clock, NextRandom, OnRetryWait);
    }

    /// <summary>
    /// The sidecar's start-up calls into its app (<c>GET /dapr/subscribe</c>): daprd retries connection failures with
    /// DaprBuiltInInitializationRetries (exponential from 500 ms, 3 retries, at most 10 s apart; overridable by name).
    /// </summary>
    public ResiliencyPipeline ForAppInitialization(string appId)
    {
        var retry = BuiltInRetry(appId, "DaprBuiltInInitializationRetries",
            new RetryPolicy("DaprBuiltInInitializationRetries", RetryBackoff.Exponential, TimeSpan.Zero, TimeSpan.FromSeconds(10), 3, null));
        return new ResiliencyPipeline(new ResolvedResiliency(null, retry, null), clock, NextRandom, OnRetryWait);
    }

    /// <summary>
    /// A built-in retry policy, or the app's retry policy of the same name that replaces it. Built-in retries cover
    /// only failures without a status code (connection errors): an empty status set matches none.
    /// </summary>
    private RetryPolicy BuiltInRetry(string appId, string name, RetryPolicy builtIn)
    {
        var overridden = resources.ResiliencyFor(appId).Select(r => r.Retries.GetValueOrDefault(name)).FirstOrDefault(r => r is not null);
        return (overridden ?? builtIn) with { RetryOnHttpStatus = HttpStatusCodeSet.Parse(string.Empty) };
    }

    /// <summary>Actor calls (targets.actors); the breaker key follows circuitBreakerScope (type, id or both).</summary>
    public ResiliencyPipeline ForActor(string callerAppId, string actorType, string actorId)
    {
        var target = Find(callerAppId, r => r.Actors.GetValueOrDefault(actorType));
        var scope = target?.CircuitBreakerScope ?? "id";
        var key = scope.Equals("type", StringComparison.OrdinalIgnoreCase) ? $"actor:{actorType}" : $"actor:{actorType}||{actorId}";
        return Pipeline(callerAppId, key, target, ["Actor", string.Empty]);
    }

    /// <summary>Delivery from a component to the app (targets.components.&lt;name&gt;.inbound).</summary>
    public ResiliencyPipeline ForComponentInbound(string appId, ComponentDefinition component)
    {
        ArgumentNullException.ThrowIfNull(component);
        return ForComponent(appId, component, t => t.Inbound, "Inbound");
    }

    /// <summary>Calls from the sidecar into a component (targets.components.&lt;name&gt;.outbound): publishes, state calls.</summary>
    public ResiliencyPipeline ForComponentOutbound(string appId, ComponentDefinition component)
    {
        ArgumentNullException.ThrowIfNull(component);
        return ForComponent(appId, component, t => t.Outbound, "Outbound");
    }

    // dapr/dapr v1.17.13 pkg/resiliency/resiliency.go ComponentInboundPolicy/ComponentOutboundPolicy: once
    // targets.components.<name> exists, only the policies it names apply (no Default*Policy fills a gap), and the
    // breaker comes from one cache keyed by the component's name, so inbound and outbound share it.
    // Resolved once per app, component and direction (resources do not change while the emulator runs): every state
    // call asks for its store's pipeline.
    private ResiliencyPipeline ForComponent(string appId, ComponentDefinition component, Func<ComponentResiliencyTargets, ResiliencyTargetRef?> direction, string directionName) =>
        _componentPipelines.GetOrAdd((appId, component.Name, directionName), _ => ResolveComponent(appId, component, direction, directionName));

    private ResiliencyPipeline ResolveComponent(string appId, ComponentDefinition component, Func<ComponentResiliencyTargets, ResiliencyTargetRef?> direction, string directionName)
    {
        var targets = resources.ResiliencyFor(appId).Select(r => r.Components.GetValueOrDefault(component.Name)).FirstOrDefault(t => t is not null);
        string[] defaultKinds = targets is null ? [$"{Kind(component)}Component{directionName}", $"Component{directionName}", "Component", string.Empty] : [];
        return Pipeline(appId, $"component:{component.Name}", targets is null ? null : direction(targets), defaultKinds);
    }

    /// <summary>The breaker for a target, if one was created (for tests and metadata).</summary>
    public CircuitBreaker? FindBreaker(string callerAppId, string targetKey) =>
        _breakers.GetValueOrDefault($"{callerAppId}/{targetKey}");

    private ResiliencyTargetRef? Find(string appId, Func<ResiliencyDefinition, ResiliencyTargetRef?> select) =>
        resources.ResiliencyFor(appId).Select(select).FirstOrDefault(t => t is not null);

    private ResiliencyPipeline Pipeline(string appId, string targetKey, ResiliencyTargetRef? target, string[] defaultKinds)
    {
        var visible = resources.ResiliencyFor(appId).ToList();
        var timeout = Named(visible, target?.Timeout, r => r.Timeouts) is var (_, t) ? t : Default(visible, defaultKinds, "Timeout", r => r.Timeouts);
        var retry = Named(visible, target?.Retry, r => r.Retries) is var (_, rp) ? rp : Default(visible, defaultKinds, "Retry", r => r.Retries);
        var breakerPolicy = Named(visible, target?.CircuitBreaker, r => r.CircuitBreakers) is var (_, cb)
            ? cb
            : Default(visible, defaultKinds, "CircuitBreaker", r => r.CircuitBreakers);
        var breaker = breakerPolicy is null
            ? null
            : _breakers.GetOrAdd($"{appId}/{targetKey}", _ => new CircuitBreaker(breakerPolicy, clock.Time));
        return new ResiliencyPipeline(new ResolvedResiliency(timeout == default ? null : timeout, retry, breaker), clock, NextRandom, OnRetryWait);
    }

    private static (string, TValue)? Named<TValue>(List<ResiliencyDefinition> visible, string? name, Func<ResiliencyDefinition, IReadOnlyDictionary<string, TValue>> policies)
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        foreach (var definition in visible)
        {
            if (policies(definition).TryGetValue(name, out var value))
            {
                return (name, value);
            }
        }

        return null;
    }

    private static TValue? Default<TValue>(List<ResiliencyDefinition> visible, string[] kinds, string policyType, Func<ResiliencyDefinition, IReadOnlyDictionary<string, TValue>> policies)
    {
        foreach (var kind in kinds)
        {
            if (Named(visible, $"Default{kind}{policyType}Policy", policies) is var (_, value))
            {
                return value;
            }
        }

        return default;
    }

    private static string Kind(ComponentDefinition component)
    {
        var category = component.Type.Split('.')[0];
        return category switch
        {
            "pubsub" => "Pubsub",
            "state" => "Statestore",
            "secretstores" => "Secretstore",
            "bindings" => "Binding",
            _ => char.ToUpperInvariant(category[0]) + category[1..],
        };
    }

    private double NextRandom()
    {
        if (options.DisableRetryJitter)
        {
            return 0.5;
        }

        lock (_jitterLock)
        {
            return _jitter.NextDouble();
        }
    }
}
