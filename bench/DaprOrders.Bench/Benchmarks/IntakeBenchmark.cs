using System.Net;
using DaprOrders.Bench.Hosting;
using DaprOrders.Bench.Load;
using DaprOrders.Bench.Reporting;

namespace DaprOrders.Bench.Benchmarks;

/// <summary>
/// B1: POST /orders at a fixed number of connections for a fixed time, against (1) the one-hop baseline, (2) Ordering
/// with a stand-in sidecar that answers at once, over HTTP and gRPC (Ordering's own cost), (3) Ordering with the emulator executable
/// as its sidecar (the real path: state transaction plus outbox publish, and the saga's own follow-up calls).
/// </summary>
internal static class IntakeBenchmark
{
    public const string ResultsTitle = "B1 intake: POST /orders, closed loop";

    public static async Task<BenchmarkReport> RunAsync(BenchSettings settings, TextWriter progress)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(progress);
        var work = Path.Combine(settings.WorkDirectory, "intake");
        var events = new OrderEvents("b1-" + Guid.NewGuid().ToString("N")[..8], ["sku-1", "sku-2", "sku-3", "sku-4", "sku-5"]);
        var runs = new List<(string Target, LoadResult Result, CpuCost Cost)>();
        using var client = HttpLoad.CreateClient(settings.Connections);

        progress.WriteLine(BaselineProgress);
        runs.Add(With(BaselineTarget, await WithStandInAsync(settings, work, client, events, BenchExecutable.Baseline, ["endpoint"], "/orders")));

        progress.WriteLine("B1: Ordering with the stand-in sidecar (204 at once)");
        runs.Add(With("Ordering + stand-in sidecar", await WithStandInAsync(settings, work, client, events, BenchExecutable.Ordering, [], "/orders")));

        progress.WriteLine("B1: Ordering with the emulator executable as its sidecar");
        var apps = new[] { OrderingApp(settings) };
        await using (var system = await EmulatedSystem.StartAsync(apps, SagaBenchmark.RepositoryResources(), null, Path.Combine(work, "emulator"), settings.ReadyTimeout, settings.SettingsFor))
        {
            var url = new Uri(system["ordering"].AppUrl, "/orders");
            var (result, cost) = await MeasureAsync(settings, client, events, url, system.Processes[1], system.Emulator);
            runs.Add(("Ordering + emulator (real path)", result, cost));
        }

        var baseline = runs[0].Result;
        var table = new ResultTable(ResultsTitle, "target", "connections", "req/s", "p50 ms", "p99 ms", "mean ms", "errors", "× baseline req/s",
            "app CPU µs/req", "sidecar CPU µs/req", "load gen CPU µs/req");
        foreach (var (target, result, cost) in runs)
        {
            table.Add(target, settings.Connections.ToString(System.Globalization.CultureInfo.InvariantCulture), Figures.Rate(result.RequestsPerSecond),
                Figures.Ms(result.Latency.PercentileMilliseconds(50)), Figures.Ms(result.Latency.PercentileMilliseconds(99)),
                Figures.Ms(result.Latency.MeanMilliseconds), result.FailureSummary,
                Figures.Ratio(baseline.RequestsPerSecond == 0 ? 0 : result.RequestsPerSecond / baseline.RequestsPerSecond),
                Figures.Rate(cost.App), Figures.Rate(cost.Sidecar), Figures.Rate(cost.LoadGenerator));
        }

        var real = runs[^1].Result;
        var ratio = baseline.RequestsPerSecond == 0 ? 0 : real.RequestsPerSecond / baseline.RequestsPerSecond;
        var report = new BenchmarkReport("B1 intake");
        report.Tables.Add(table);
        report.Tables.Add(new ResultTable("B1 targets", "target", "measured", "verdict")
            .Add("Ordering + emulator ≥ 0.75× baseline req/s", Figures.Ratio(ratio), Figures.Verdict(ratio >= 0.75))
            .Add("p99 ≤ 5 ms", Figures.Ms(real.Latency.PercentileMilliseconds(99)) + " ms", Figures.Verdict(real.Latency.PercentileMilliseconds(99) <= 5))
            .Add("issue 20: ≥ 0.5× baseline req/s", Figures.Ratio(ratio), Figures.Verdict(ratio >= 0.5))
            .Add("issue 20: p99 ≤ 10 ms", Figures.Ms(real.Latency.PercentileMilliseconds(99)) + " ms", Figures.Verdict(real.Latency.PercentileMilliseconds(99) <= 10)));
        report.Notes.Add($"Warm-up {settings.Warmup.TotalSeconds:0.#} s (not counted), measured {settings.Duration.TotalSeconds:0.#} s per target; the load generator is this process, every target runs in its own processes.");
        report.Notes.Add("Ordering runs with Ordering:RateLimit:Enabled=false (the 2,000/s per-IP limit would otherwise be the result) and Logging:LogLevel:Default=Warning.");
        return report;
    }

    private const string BaselineProgress = "B1: one-hop baseline (Kestrel endpoint → one awaited loopback POST → stand-in sidecar)";
    private const string BaselineTarget = "baseline: endpoint + stand-in sidecar";

    /// <summary>B1's one-hop baseline alone: the floor B2 is measured against in the same run.</summary>
    internal static async Task<LoadResult> MeasureBaselineAsync(BenchSettings settings, string work, HttpClient client, TextWriter progress)
    {
        progress.WriteLine(BaselineProgress);
        var events = new OrderEvents("floor-" + Guid.NewGuid().ToString("N")[..8], ["sku-1"]);
        var (result, _) = await WithStandInAsync(settings, work, client, events, BenchExecutable.Baseline, ["endpoint"], "/orders");
        return result;
    }

    internal static BenchApp OrderingApp(BenchSettings settings)
    {
        var ordering = new Dictionary<string, string>(settings.GcSettings(), StringComparer.Ordinal)
        {
            ["Ordering__RateLimit__Enabled"] = "false",
        };
        return new BenchApp("ordering", BenchExecutable.Ordering, [], ordering);
    }

    private static async Task<(LoadResult, CpuCost)> WithStandInAsync(BenchSettings settings, string work, HttpClient client, OrderEvents events,
        BenchExecutable target, string[] arguments, string path)
    {
        var ports = BenchProcess.FreePorts(3);
        var sidecarUrl = $"http://127.0.0.1:{ports[0]}";
        var targetUrl = new Uri($"http://127.0.0.1:{ports[1]}");
        var sidecarGrpcUrl = $"http://127.0.0.1:{ports[2]}";
        var environment = new Dictionary<string, string>(settings.GcSettings(), StringComparer.Ordinal)
        {
            ["ASPNETCORE_URLS"] = targetUrl.ToString().TrimEnd('/'),
            ["SIDECAR_URL"] = sidecarUrl,
            ["DAPR_HTTP_ENDPOINT"] = sidecarUrl,
            ["DAPR_GRPC_ENDPOINT"] = sidecarGrpcUrl,
            ["APP_ID"] = "ordering",
            ["Ordering__RateLimit__Enabled"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        await using var sidecar = BenchProcess.Start("stand-in-sidecar", BenchExecutable.Baseline, ["sidecar"],
            new Dictionary<string, string>(settings.GcSettings(), StringComparer.Ordinal)
            {
                ["HTTP_PORT"] = ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["GRPC_PORT"] = ports[2].ToString(System.Globalization.CultureInfo.InvariantCulture),
            }, work);
        await using var app = BenchProcess.Start(target.AssemblyName, target, arguments, environment, work);
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await BenchProcess.WaitForHttpAsync(probe, new Uri(sidecarUrl + "/v1.0/healthz"), settings.ReadyTimeout, sidecar);
        await BenchProcess.WaitForHttpAsync(probe, new Uri(targetUrl, "/healthz"), settings.ReadyTimeout, app);
        return await MeasureAsync(settings, client, events, new Uri(targetUrl, path), app, sidecar);
    }

    private static (string, LoadResult, CpuCost) With(string target, (LoadResult Result, CpuCost Cost) run) => (target, run.Result, run.Cost);

    private static async Task<(LoadResult, CpuCost)> MeasureAsync(BenchSettings settings, HttpClient client, OrderEvents events, Uri url,
        BenchProcess app, BenchProcess sidecar)
    {
        await HttpLoad.PrimeAsync(client, sequence => events.Request(url, sequence));
        var self = System.Diagnostics.Process.GetCurrentProcess();
        var (app0, sidecar0, self0) = (app.Sample().CpuSeconds, sidecar.Sample().CpuSeconds, self.TotalProcessorTime.TotalSeconds);
        var result = await HttpLoad.RunClosedLoopAsync(client, sequence => events.Request(url, sequence), settings.Connections, settings.Warmup, settings.Duration,
            response => response.StatusCode == HttpStatusCode.Accepted, minMeasured: settings.MinMeasured(settings.Connections));
        self.Refresh();
        double PerRequest(double seconds) => result.Sent == 0 ? 0 : seconds * 1e6 / result.Sent;
        return (result, new CpuCost(PerRequest(app.Sample().CpuSeconds - app0), PerRequest(sidecar.Sample().CpuSeconds - sidecar0),
            PerRequest(self.TotalProcessorTime.TotalSeconds - self0)));
    }

    /// <summary>CPU microseconds per request (warm-up included) of each side: where the 2 cores go.</summary>
    private sealed record CpuCost(double App, double Sidecar, double LoadGenerator);
}
