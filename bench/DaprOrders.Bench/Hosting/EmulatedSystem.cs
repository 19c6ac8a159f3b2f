using System.Globalization;
using System.Text;

namespace DaprOrders.Bench.Hosting;

/// <summary>One app of an emulated run: which build output to start, with what arguments and settings.</summary>
internal sealed record BenchApp(string AppId, BenchExecutable Executable, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Settings)
{
    public int AppPort { get; init; }

    public int SidecarPort { get; init; }

    /// <summary>The sidecar's gRPC port, which the Dapr .NET SDK's DaprClient uses for state and pub/sub.</summary>
    public int SidecarGrpcPort { get; init; }

    public Uri AppUrl => new($"http://127.0.0.1:{AppPort}");
}

/// <summary>
/// A system under test as `dapr run -f` would start it, with the emulator executable in place of daprd: a run template
/// whose apps have no command (the emulator then only serves their sidecars), the emulator process, and one process per
/// app that this class starts itself so that it knows their process ids for CPU and memory readings.
/// </summary>
internal sealed class EmulatedSystem : IAsyncDisposable
{
    private readonly List<BenchProcess> _processes;

    private EmulatedSystem(BenchProcess emulator, List<BenchProcess> processes, IReadOnlyList<BenchApp> apps)
    {
        Emulator = emulator;
        _processes = processes;
        Apps = apps;
    }

    public BenchProcess Emulator { get; }

    public IReadOnlyList<BenchApp> Apps { get; }

    /// <summary>Emulator first, then the apps, in start order.</summary>
    public IReadOnlyList<BenchProcess> Processes => [Emulator, .. _processes];

    public BenchApp this[string appId] => Apps.First(a => a.AppId == appId);

    public static async Task<EmulatedSystem> StartAsync(IReadOnlyList<BenchApp> apps, IReadOnlyList<string> resourcesPaths,
        string? configFile, string workDirectory, TimeSpan readyTimeout, Func<string, IEnumerable<KeyValuePair<string, string>>>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(apps);
        var ports = BenchProcess.FreePorts(apps.Count * 3);
        var placed = apps.Select((a, i) => a with
        {
            AppPort = ports[i],
            SidecarPort = ports[apps.Count + i],
            SidecarGrpcPort = ports[(2 * apps.Count) + i],
        }).ToList();
        Directory.CreateDirectory(workDirectory);
        var template = Path.Combine(workDirectory, "dapr.yaml");
        await File.WriteAllTextAsync(template, Template(placed, resourcesPaths, configFile, workDirectory));

        var emulator = BenchProcess.Start("emulator", BenchExecutable.Emulator, ["run", "-f", template, "--log-level", "warn"],
            new Dictionary<string, string>(overrides?.Invoke("emulator") ?? [], StringComparer.Ordinal), workDirectory);
        var processes = new List<BenchProcess>();
        var system = new EmulatedSystem(emulator, processes, placed);
        try
        {
            foreach (var app in placed)
            {
                var environment = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["APP_ID"] = app.AppId,
                    ["APP_PORT"] = app.AppPort.ToString(CultureInfo.InvariantCulture),
                    ["DAPR_HTTP_PORT"] = app.SidecarPort.ToString(CultureInfo.InvariantCulture),
                    ["DAPR_HTTP_ENDPOINT"] = $"http://127.0.0.1:{app.SidecarPort}",
                    ["DAPR_GRPC_PORT"] = app.SidecarGrpcPort.ToString(CultureInfo.InvariantCulture),
                    ["DAPR_GRPC_ENDPOINT"] = $"http://127.0.0.1:{app.SidecarGrpcPort}",
                    ["ASPNETCORE_URLS"] = app.AppUrl.ToString().TrimEnd('/'),
                    // Production-like logging: no per-request lines on the console.
                    ["Logging__LogLevel__Default"] = "Warning",
                };
                foreach (var (key, value) in app.Settings.Concat(overrides?.Invoke(app.AppId) ?? []))
                {
                    environment[key] = value;
                }

                processes.Add(BenchProcess.Start(app.AppId, app.Executable, app.Arguments, environment, workDirectory));
            }

            // A sidecar's /v1.0/healthz turns 204 once its app's port is open and /dapr/config, /dapr/subscribe were read.
            using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            foreach (var (app, process) in placed.Zip(processes))
            {
                await BenchProcess.WaitForHttpAsync(probe, new Uri($"http://127.0.0.1:{app.SidecarPort}/v1.0/healthz"), readyTimeout,
                    process.HasExited ? process : emulator);
            }
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }

        return system;
    }

    private static string Template(IReadOnlyList<BenchApp> apps, IReadOnlyList<string> resourcesPaths, string? configFile, string workDirectory)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("# Written by daprorders-bench: the apps have no command, the benchmark starts them itself.");
        yaml.AppendLine("version: 1");
        yaml.AppendLine("common:");
        yaml.AppendLine("  resourcesPaths:");
        foreach (var path in resourcesPaths)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    - {path}");
        }

        if (configFile is not null)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  configFilePath: {configFile}");
        }

        yaml.AppendLine("  appProtocol: http");
        yaml.AppendLine("  logLevel: warn");
        yaml.AppendLine("apps:");
        foreach (var app in apps)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - appID: {app.AppId}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    appDirPath: {workDirectory}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    appPort: {app.AppPort}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    daprHTTPPort: {app.SidecarPort}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    daprGRPCPort: {app.SidecarGrpcPort}");
        }

        return yaml.ToString();
    }

    public IReadOnlyDictionary<string, ProcessSample> Sample() =>
        Processes.ToDictionary(p => p.Name, p => p.Sample(), StringComparer.Ordinal);

    public async ValueTask DisposeAsync()
    {
        // Apps first (as the emulator executable does), then the sidecars.
        foreach (var process in Enumerable.Reverse(_processes))
        {
            await process.DisposeAsync();
        }

        await Emulator.DisposeAsync();
    }
}
