namespace DaprOrders.Emulator.Cli;

/// <summary>A dapr.yaml multi-app run template, resolved: paths absolute, common settings merged into every app.</summary>
public sealed record RunTemplate(string FilePath, IReadOnlyList<RunTemplateApp> Apps, IReadOnlyList<string> Warnings);

/// <summary>One app of a run template with its sidecar settings, as the Dapr CLI resolves them (dapr/cli pkg/runfileconfig/run_file_config.go).</summary>
public sealed record RunTemplateApp
{
    public required string AppId { get; init; }

    /// <summary>Absolute; the app's command runs here.</summary>
    public required string AppDirPath { get; init; }

    public int? AppPort { get; init; }

    /// <summary>0 picks a free port.</summary>
    public int DaprHttpPort { get; init; }

    /// <summary>The sidecar's gRPC API port, passed to the app as DAPR_GRPC_PORT; null picks a free port.</summary>
    public int? DaprGrpcPort { get; init; }

    /// <summary>Passed to the app as DAPR_METRICS_PORT only.</summary>
    public int? MetricsPort { get; init; }

    /// <summary>Empty: no process is started (a sidecar for an app started elsewhere).</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    public string AppChannelAddress { get; init; } = "127.0.0.1";

    public string AppProtocol { get; init; } = "http";

    public string LogLevel { get; init; } = "info";

    /// <summary>Absolute resources paths after the CLI's resolution order (apps[i] &gt; {appDirPath}/.dapr/resources &gt; common).</summary>
    public IReadOnlyList<string> ResourcesPaths { get; init; } = [];

    /// <summary>Absolute path after the CLI's resolution order (apps[i] &gt; {appDirPath}/.dapr/config.yaml &gt; common); null: none.</summary>
    public string? ConfigFilePath { get; init; }

    /// <summary>common.env merged with apps[i].env (the app's entries win).</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Audit's operations page (docs/operations-page.md) when the app's env switches it on, else null: the first URL a
    /// newcomer wants, so every run names it.
    /// </summary>
    public Uri? OperationsPageUrl =>
        AppPort is { } port && Env.TryGetValue("Audit__OperationsPage__Enabled", out var enabled) && bool.TryParse(enabled, out var on) && on
            ? new Uri($"http://{AppChannelAddress}:{port}/ops/")
            : null;
}

/// <summary>The template cannot be run as written; the message names the file, position and field.</summary>
public sealed class RunTemplateException(string message) : Exception(message);
