namespace DaprOrders.Emulator.Resources;

/// <summary>A Dapr Component as loaded from YAML: metadata values are resolved strings (secret references resolved).</summary>
public sealed record ComponentDefinition(
    string Name,
    string Type,
    string Version,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<string> Scopes)
{
    /// <summary>The file the component was read from (for error messages); null when built in code.</summary>
    public string? SourceFile { get; init; }

    /// <summary>daprd loads a resource for every app when scopes is empty, else only for the listed app-ids.</summary>
    public bool IsVisibleTo(string appId) => Scopes.Count == 0 || Scopes.Contains(appId, StringComparer.Ordinal);

    /// <summary>Metadata names are matched case-insensitively by daprd.</summary>
    public string? GetMetadata(string name)
    {
        foreach (var (key, value) in Metadata)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }
}

/// <summary>One routing rule of a subscription: a CEL match (empty = always) and the app path.</summary>
public sealed record SubscriptionRule(string Match, string Path);

/// <summary>bulkSubscribe settings of a subscription (dapr/dapr release-1.17 pkg/runtime/subscription/bulksubscription.go).</summary>
public sealed record BulkSubscribeOptions(bool Enabled, int MaxMessagesCount = 100, int MaxAwaitDurationMs = 1000);

/// <summary>A declarative Subscription resource (dapr.io/v1alpha1 or v2alpha1), routes already flattened.</summary>
public sealed record SubscriptionDefinition(
    string Name,
    string PubsubName,
    string Topic,
    IReadOnlyList<SubscriptionRule> Rules,
    string? DeadLetterTopic,
    IReadOnlyDictionary<string, string> Metadata,
    BulkSubscribeOptions? BulkSubscribe,
    IReadOnlyList<string> Scopes,
    string? SourceFile)
{
    public bool IsVisibleTo(string appId) => Scopes.Count == 0 || Scopes.Contains(appId, StringComparer.Ordinal);
}

public enum RetryBackoff
{
    Constant,
    Exponential,
}

/// <summary>
/// A named retry policy. daprd's exponential backoff has fixed initial interval 500 ms, multiplier 1.5 and
/// randomization 0.5; only policy, duration, maxInterval, maxRetries and matching are settable (dapr/dapr release-1.17 pkg/resiliency/policy.go).
/// </summary>
public sealed record RetryPolicy(
    string Name,
    RetryBackoff Backoff,
    TimeSpan Duration,
    TimeSpan MaxInterval,
    int MaxRetries,
    HttpStatusCodeSet? RetryOnHttpStatus)
{
    public static readonly TimeSpan ExponentialInitialInterval = TimeSpan.FromMilliseconds(500);
    public const double ExponentialMultiplier = 1.5;
    public const double ExponentialRandomization = 0.5;
    public static readonly TimeSpan ExponentialMaxElapsedTime = TimeSpan.FromMinutes(15);
}

/// <summary>A circuit breaker. Only trip expressions of the form "consecutiveFailures &gt; N" are supported.</summary>
public sealed record CircuitBreakerPolicy(
    string Name,
    int MaxRequests,
    TimeSpan Interval,
    TimeSpan Timeout,
    int TripAfterConsecutiveFailures);

/// <summary>The policy names one target refers to.</summary>
public sealed record ResiliencyTargetRef(
    string? Timeout,
    string? Retry,
    string? CircuitBreaker,
    string? CircuitBreakerScope = null,
    int? CircuitBreakerCacheSize = null);

public sealed record ComponentResiliencyTargets(ResiliencyTargetRef? Outbound, ResiliencyTargetRef? Inbound);

/// <summary>A Resiliency resource (dapr.io/v1alpha1).</summary>
public sealed record ResiliencyDefinition(
    string Name,
    IReadOnlyDictionary<string, TimeSpan> Timeouts,
    IReadOnlyDictionary<string, RetryPolicy> Retries,
    IReadOnlyDictionary<string, CircuitBreakerPolicy> CircuitBreakers,
    IReadOnlyDictionary<string, ResiliencyTargetRef> Apps,
    IReadOnlyDictionary<string, ResiliencyTargetRef> Actors,
    IReadOnlyDictionary<string, ComponentResiliencyTargets> Components,
    IReadOnlyList<string> Scopes,
    string? SourceFile)
{
    public bool IsVisibleTo(string appId) => Scopes.Count == 0 || Scopes.Contains(appId, StringComparer.Ordinal);
}

/// <summary>A Configuration resource: only what the emulator acts on (tracing sampling, feature flags).</summary>
public sealed record ConfigurationDefinition(string Name, double SamplingRate, IReadOnlyDictionary<string, bool> Features)
{
    /// <summary>daprd's default when no tracing is configured.</summary>
    public static readonly ConfigurationDefinition Default = new("default", 0.0001, new Dictionary<string, bool>());

    public bool IsFeatureEnabled(string feature) =>
        Features.TryGetValue(feature, out var enabled) && enabled;

    /// <summary>samplingRate "0" turns daprd's tracing middleware off: CloudEvent trace fields become "".</summary>
    public bool TracingEnabled => SamplingRate > 0;
}

/// <summary>Everything read from the resources paths and the configuration file.</summary>
public sealed class EmulatorResources
{
    public List<ComponentDefinition> Components { get; } = [];

    public List<SubscriptionDefinition> Subscriptions { get; } = [];

    public List<ResiliencyDefinition> Resiliencies { get; } = [];

    public ConfigurationDefinition Configuration { get; set; } = ConfigurationDefinition.Default;

    /// <summary>Things loaded but not acted on (logged at startup).</summary>
    public List<string> Warnings { get; } = [];

    public IEnumerable<ComponentDefinition> ComponentsFor(string appId) => Components.Where(c => c.IsVisibleTo(appId));

    public IEnumerable<SubscriptionDefinition> SubscriptionsFor(string appId) => Subscriptions.Where(s => s.IsVisibleTo(appId));

    public IEnumerable<ResiliencyDefinition> ResiliencyFor(string appId) => Resiliencies.Where(r => r.IsVisibleTo(appId));
}
