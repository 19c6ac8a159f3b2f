using Microsoft.Extensions.Logging;

namespace DaprOrders.Emulator.Cli;

/// <summary>Command-line overrides of a run template (dapr run's --resources-path and --config).</summary>
public sealed record RunOverrides(IReadOnlyList<string> ResourcesPaths, string? ConfigFilePath);

/// <summary>
/// What "dapr-emulator run -f dapr.yaml" runs: every app's sidecar endpoint first, then every app's command, on the
/// real clock. Disposing stops the apps (process trees) and then the sidecars.
/// </summary>
public sealed partial class EmulatorRun : IAsyncDisposable
{
    private readonly ILogger _logger;

    private EmulatorRun(RunTemplate template, DaprEmulator emulator, ILogger logger)
    {
        Template = template;
        Emulator = emulator;
        _logger = logger;
    }

    public RunTemplate Template { get; }

    public DaprEmulator Emulator { get; }

    public List<AppProcess> Processes { get; } = [];

    /// <exception cref="RunTemplateException">The apps ask for different Configuration files (the emulator runs one).</exception>
    public static EmulatorOptions ToEmulatorOptions(RunTemplate template, RunOverrides overrides)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(overrides);
        var options = new EmulatorOptions { TimeProvider = TimeProvider.System };
        var configs = template.Apps.Select(a => a.ConfigFilePath).Where(c => c is not null).Distinct(StringComparer.Ordinal).ToList();
        if (overrides.ConfigFilePath is null && configs.Count > 1)
        {
            throw new RunTemplateException(
                $"{template.FilePath}: configFilePath: the apps use different Configuration files ({string.Join(", ", configs)}); the emulator runs one Configuration for all apps");
        }

        options.ConfigFilePath = overrides.ConfigFilePath is { } config ? Path.GetFullPath(config) : configs.SingleOrDefault();
        foreach (var app in template.Apps)
        {
            var env = app.Env;
            var sidecar = new EmulatedAppOptions
            {
                AppId = app.AppId,
                AppPort = app.AppPort,
                AppChannelAddress = app.AppChannelAddress,
                DaprHttpPort = app.DaprHttpPort,
                DaprGrpcPort = app.DaprGrpcPort ?? 0,
                // The CLI gives env to daprd too: DAPR_API_TOKEN / APP_API_TOKEN there switch the tokens on.
                DaprApiToken = env.GetValueOrDefault("DAPR_API_TOKEN"),
                AppApiToken = env.GetValueOrDefault("APP_API_TOKEN"),
            };
            sidecar.ResourcesPaths.AddRange(overrides.ResourcesPaths.Count > 0 ? overrides.ResourcesPaths.Select(Path.GetFullPath) : app.ResourcesPaths);
            options.Apps.Add(sidecar);
        }

        return options;
    }

    public static async Task<EmulatorRun> StartAsync(
        RunTemplate template,
        RunOverrides overrides,
        ILoggerFactory loggerFactory,
        TextWriter appOutput,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var logger = loggerFactory.CreateLogger("DaprOrders.Emulator.Cli");
        var emulator = await DaprEmulator.StartAsync(ToEmulatorOptions(template, overrides), loggerFactory, cancellationToken);
        var run = new EmulatorRun(template, emulator, logger);
        try
        {
            foreach (var app in template.Apps.Where(a => a.Command.Count > 0))
            {
                var environment = AppEnvironment.For(app, emulator[app.AppId].HttpPort, emulator[app.AppId].GrpcPort);
                run.Processes.Add(AppProcess.Start(app, environment, appOutput, logger));
            }
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }

        return run;
    }

    /// <summary>
    /// Waits until every app's sidecar finished its startup sequence. An app whose process exits first is reported
    /// (by <see cref="AppProcess"/>) and no longer waited for.
    /// </summary>
    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var waits = Template.Apps.Select(app =>
        {
            var ready = Emulator[app.AppId].WaitUntilReadyAsync(cancellationToken);
            var process = Processes.FirstOrDefault(p => p.AppId == app.AppId);
            return process is null ? ready : Task.WhenAny(ready, process.Exited);
        });
        await Task.WhenAll(waits);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Every URL a developer needs: each app's sidecar endpoint and app address.</summary>
    public void PrintEndpoints(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine("dapr-emulator is up. Endpoints:");
        foreach (var app in Template.Apps)
        {
            var sidecar = Emulator[app.AppId];
            var appUrl = app.AppPort is { } port ? $"http://{app.AppChannelAddress}:{port}" : "(no app port)";
            var state = sidecar.IsAppReady ? "ready" : "not ready";
            output.WriteLine($"  {app.AppId,-16} sidecar {sidecar.HttpEndpoint.ToString().TrimEnd('/')}  grpc {sidecar.GrpcEndpoint.ToString().TrimEnd('/')}  app {appUrl}  [{state}]");
        }

        // The operations page is the first thing a newcomer wants to open, so name its URL when an app serves it.
        foreach (var app in Template.Apps)
        {
            if (app.AppPort is { } port
                && app.Env.TryGetValue("Audit__OperationsPage__Enabled", out var enabled)
                && bool.TryParse(enabled, out var on) && on)
            {
                output.WriteLine($"  operations page  http://{app.AppChannelAddress}:{port}/ops/");
            }
        }
    }

    /// <summary>Shutdown began: app exits from now on are expected.</summary>
    public void MarkStopping()
    {
        foreach (var process in Processes)
        {
            process.MarkStopping();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Processes)
        {
            await process.DisposeAsync();
        }

        await Emulator.DisposeAsync();
        LogStopped(_logger);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped all apps and sidecars")]
    private static partial void LogStopped(ILogger logger);
}
