namespace DaprOrders.Emulator;

/// <summary>What one emulator process hosts: the apps (each with its own sidecar endpoint) and the resources they share.</summary>
public sealed class EmulatorOptions
{
    public List<EmulatedAppOptions> Apps { get; } = [];

    /// <summary>Folders of Dapr resource YAMLs (Component, Subscription, Resiliency), as daprd's --resources-path.</summary>
    public List<string> ResourcesPaths { get; } = [];

    /// <summary>A Dapr Configuration file, as daprd's --config. Optional.</summary>
    public string? ConfigFilePath { get; set; }

    /// <summary>
    /// The clock that drives retries, reminders, timers and idle deactivation. Tests pass a FakeTimeProvider so that
    /// 5 s / 30 s policies run in milliseconds; the executable uses the real clock.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Address the sidecar endpoints listen on.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>Seed for retry jitter and fault injection; null seeds from the clock (like daprd: not reproducible).</summary>
    public int? RandomSeed { get; set; }

    /// <summary>
    /// Exponential retries without daprd's ±50 % randomization (delays exactly 500 ms, 750 ms, 1125 ms, ...), so tests
    /// can assert attempt times. Off by default: the emulator randomizes like daprd.
    /// </summary>
    public bool DisableRetryJitter { get; set; }

    /// <summary>Concurrent deliveries per subscription (daprd has no limit unless --app-max-concurrency).</summary>
    public int MaxConcurrentDeliveriesPerSubscription { get; set; } = 32;
}

/// <summary>One app and its sidecar, as one entry of a dapr.yaml run template.</summary>
public sealed class EmulatedAppOptions
{
    public required string AppId { get; init; }

    /// <summary>Port the app listens on; null when the app has no port (publish-only clients).</summary>
    public int? AppPort { get; set; }

    public string AppChannelAddress { get; set; } = "127.0.0.1";

    /// <summary>Sidecar HTTP API port; 0 picks a free port (read it back from <see cref="Hosting.AppSidecar.HttpEndpoint"/>).</summary>
    public int DaprHttpPort { get; set; }

    /// <summary>
    /// Sidecar gRPC API port (h2c, daprd's --dapr-grpc-port); 0 picks a free port (read it back from
    /// <see cref="Hosting.AppSidecar.GrpcEndpoint"/>).
    /// </summary>
    public int DaprGrpcPort { get; set; }

    /// <summary>When set, the app must send it as dapr-api-token on every API call (daprd's DAPR_API_TOKEN).</summary>
    public string? DaprApiToken { get; set; }

    /// <summary>When set, the sidecar sends it as dapr-api-token on every call into the app (daprd's APP_API_TOKEN).</summary>
    public string? AppApiToken { get; set; }

    /// <summary>Per-app resources paths; empty means the emulator-wide ones.</summary>
    public List<string> ResourcesPaths { get; } = [];
}
