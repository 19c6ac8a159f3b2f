using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DaprOrders.Bench.Hosting;
using DaprOrders.Bench.Load;
using DaprOrders.Bench.Reporting;

namespace DaprOrders.Bench.Benchmarks;

/// <summary>
/// B3: the seeds' experiment on the emulator. A front app either calls inventory (200 ms), payment (300 ms) and
/// notification (150 ms) in turn through Dapr service invocation and answers when all are done, or publishes one event
/// and answers 202 while the same three workers consume it. Both at the same connection count; the synchronous chain
/// also at many connections, because its throughput is bounded by connections / 650 ms (Little's law).
/// </summary>
internal static class SeedsBenchmark
{
    public const string ResultsTitle = "B3 the seeds' experiment: synchronous chain vs asynchronous accept";

    // What the seeds claim (the issue quotes them); shown beside our figures, not measured here.
    private const string SeedsSyncMean = "650";
    private const string SeedsSyncTps = "1,200";
    private const string SeedsAsyncMean = "10";
    private const string SeedsAsyncTps = "8,500";
    private const string SeedsAsyncP99 = "210";

    public static async Task<BenchmarkReport> RunAsync(BenchSettings settings, TextWriter progress)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(progress);
        var work = Path.Combine(settings.WorkDirectory, "seeds");
        var gc = settings.GcSettings();
        BenchApp Worker(string appId, int milliseconds) => new(appId, BenchExecutable.BenchApps, ["seeds-worker"],
            new Dictionary<string, string>(gc, StringComparer.Ordinal) { ["WORK_MS"] = milliseconds.ToString(CultureInfo.InvariantCulture) });
        BenchApp[] apps =
        [
            new("front", BenchExecutable.BenchApps, ["seeds-front"], gc),
            Worker("inventory", 200),
            Worker("payment", 300),
            Worker("notification", 150),
        ];

        progress.WriteLine("B3: starting the emulator with the seeds' apps");
        await using var system = await EmulatedSystem.StartAsync(apps, [Path.Combine(BuildOutputs.RepositoryRoot, "bench", "components", "seeds")],
            null, work, settings.ReadyTimeout, settings.SettingsFor);
        var front = system["front"].AppUrl;
        var manyConnections = settings.Smoke ? 16 : 512;
        using var client = HttpLoad.CreateClient(Math.Max(settings.Connections, manyConnections));

        // The synchronous chain needs at least a few round trips per connection to be measured at all.
        var syncSettings = settings with { Duration = settings.Smoke ? TimeSpan.FromSeconds(3) : settings.Duration, Warmup = settings.Smoke ? TimeSpan.FromSeconds(1) : settings.Warmup };
        progress.WriteLine($"B3: synchronous chain, {settings.Connections} connections");
        var sync = await MeasureAsync(client, new Uri(front, "/sync/orders"), settings.Connections, syncSettings, HttpStatusCode.Created);
        progress.WriteLine($"B3: synchronous chain, {manyConnections} connections");
        var syncMany = await MeasureAsync(client, new Uri(front, "/sync/orders"), manyConnections, syncSettings, HttpStatusCode.Created);
        progress.WriteLine($"B3: asynchronous accept, {settings.Connections} connections");
        var async = await MeasureAsync(client, new Uri(front, "/async/orders"), settings.Connections, settings, HttpStatusCode.Accepted);

        var table = new ResultTable(ResultsTitle, "path", "connections", "mean ms", "p50 ms", "p99 ms", "req/s", "errors", "seeds: mean ms", "seeds: p99 ms", "seeds: TPS");
        void Row(string path, int connections, LoadResult r, string seedsMean, string seedsP99, string seedsTps) =>
            table.Add(path, connections.ToString(CultureInfo.InvariantCulture), Figures.Ms(r.Latency.MeanMilliseconds), Figures.Ms(r.Latency.PercentileMilliseconds(50)),
                Figures.Ms(r.Latency.PercentileMilliseconds(99)), Figures.Rate(r.RequestsPerSecond), r.FailureSummary, seedsMean, seedsP99, seedsTps);
        Row("synchronous chain (3 invocations)", settings.Connections, sync, SeedsSyncMean, "—", SeedsSyncTps);
        Row("synchronous chain (3 invocations)", manyConnections, syncMany, SeedsSyncMean, "—", SeedsSyncTps);
        Row("asynchronous accept (publish, 202)", settings.Connections, async, SeedsAsyncMean, SeedsAsyncP99, SeedsAsyncTps);

        var ratio = sync.Latency.PercentileMilliseconds(50) / Math.Max(0.001, async.Latency.PercentileMilliseconds(50));
        var report = new BenchmarkReport("B3 the seeds' experiment");
        report.Tables.Add(table);
        report.Tables.Add(new ResultTable("B3 targets", "target", "measured", "verdict")
            .Add("async accept p50 ≤ 1/100 of the synchronous chain's p50", $"1/{ratio:0}", Figures.Verdict(ratio >= 100)));
        report.Notes.Add("Simulated work is an awaited delay in the worker (200 / 300 / 150 ms), as a slow dependency would be; the asynchronous workers do the same per event.");
        report.Notes.Add($"The synchronous chain's throughput is bounded by connections / 650 ms: {settings.Connections} connections ⇒ at most {settings.Connections / 0.65:0}/s, {manyConnections} ⇒ {manyConnections / 0.65:0}/s. The seeds' TPS figures do not say at what concurrency they were taken.");
        report.Notes.Add("The seeds' p99 of 210 ms is quoted without its path; it is shown beside the asynchronous row.");
        return report;
    }

    private static async Task<LoadResult> MeasureAsync(HttpClient client, Uri url, int connections, BenchSettings settings, HttpStatusCode expected)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var mediaType = new MediaTypeHeaderValue("application/json");
        RequestFactory request = sequence =>
        {
            var body = Encoding.UTF8.GetBytes($$"""{"orderId":"{{run}}-{{sequence}}","customerId":"customer-{{sequence % 97}}","amount":4990}""");
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = mediaType;
            return new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        };
        await HttpLoad.PrimeAsync(client, request);
        return await HttpLoad.RunClosedLoopAsync(client, request, connections, settings.Warmup, settings.Duration, r => r.StatusCode == expected,
            minMeasured: settings.MinMeasured(connections));
    }
}
