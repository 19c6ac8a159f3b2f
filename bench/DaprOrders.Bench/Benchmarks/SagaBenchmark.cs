using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using DaprOrders.Bench.Hosting;
using DaprOrders.Bench.Load;
using DaprOrders.Bench.Reporting;

namespace DaprOrders.Bench.Benchmarks;

/// <summary>
/// B2: the whole saga on the embedded run (emulator executable + the five services as Release processes). Phase 1
/// pushes N orders through as fast as intake takes them and times until the last is terminal (max orders/s). Phase 2
/// submits open-loop at half that rate and times each order from its scheduled submit to its terminal event, while
/// sampling CPU and memory of every process.
/// </summary>
/// <remarks>
/// An order is terminal before every subscriber is done with it: Audit and Notification take their events after the
/// saga has moved on. So after the warm-up and after each phase the benchmark waits until every process is nearly
/// idle. Each phase's CPU then includes the work it deferred, and phase 2 measures latency on a system that is not
/// still working off phase 1.
/// </remarks>
internal static partial class SagaBenchmark
{
    /// <summary>The operator token Inventory is given for this run; stocking the SKUs sends it.</summary>
    private const string OperatorToken = "bench-operator-token";

    public const string ThroughputTitle = "B2 whole saga: throughput (closed loop)";
    public const string LatencyTitle = "B2 whole saga: submit → terminal at half the maximum rate (open loop)";
    public const string ProcessTitle = "B2 processes: CPU and memory";
    public const string FloorTitle = "B2 against the one-hop floor (B1's baseline, same run)";
    private const string ObserverAppId = "bench-observer";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IReadOnlyList<string> RepositoryResources() =>
        [Path.Combine(BuildOutputs.RepositoryRoot, "components", "shared"), Path.Combine(BuildOutputs.RepositoryRoot, "components", "in-memory")];

    public static async Task<BenchmarkReport> RunAsync(BenchSettings settings, TextWriter progress)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(progress);
        var work = Path.Combine(settings.WorkDirectory, "saga");
        var skus = Enumerable.Range(0, settings.Smoke ? 4 : 50).Select(i => $"bench-{i:D2}").ToList();
        var gc = settings.GcSettings();
        BenchApp Service(string appId, BenchExecutable executable) => new(appId, executable, [], gc);
        BenchApp[] apps =
        [
            IntakeBenchmark.OrderingApp(settings),
            // Stocking the SKUs is an operator call (docs/kubernetes.md, "Operator access").
            new("inventory", BenchExecutable.Inventory, [], new Dictionary<string, string>(gc, StringComparer.Ordinal) { ["OperatorAccess__Token"] = OperatorToken }),
            Service("payment", BenchExecutable.Payment),
            Service("notification", BenchExecutable.Notification),
            Service("audit", BenchExecutable.Audit),
            new(ObserverAppId, BenchExecutable.BenchApps, ["observer"], gc),
        ];

        // The floor first, on a machine the system does not load yet: orders/s is read against it (issue 20).
        LoadResult floor;
        using (var floorClient = HttpLoad.CreateClient(settings.Connections))
        {
            floor = await IntakeBenchmark.MeasureBaselineAsync(settings, Path.Combine(work, "floor"), floorClient, progress);
        }

        progress.WriteLine("B2: starting the emulator and the five services");
        var resources = ObservableResources(Path.Combine(work, "components"));
        await using var system = await EmulatedSystem.StartAsync(apps, resources,
            Path.Combine(BuildOutputs.RepositoryRoot, "components", "config", "config.yaml"), work, settings.ReadyTimeout, settings.SettingsFor);
        using var client = HttpLoad.CreateClient(Math.Max(settings.Connections, 256));
        await StockAsync(client, system["inventory"].AppUrl, skus);
        var ordersUrl = new Uri(system["ordering"].AppUrl, "/orders");
        var observer = system[ObserverAppId].AppUrl;
        var unfinished = new List<string>();

        // Closed loop at the usual connection count: up to settings.Orders orders for at most `limit`, then waits until
        // every accepted one is terminal.
        async Task<(LoadResult Intake, ObservedOrder[] Terminal)> SubmitUntilTerminalAsync(string idPrefix, TimeSpan limit)
        {
            var events = new OrderEvents(idPrefix + "-" + Guid.NewGuid().ToString("N")[..8], skus);
            var accepted = await HttpLoad.RunClosedLoopAsync(client, s => events.Request(ordersUrl, s), settings.Connections, TimeSpan.Zero,
                limit, r => r.StatusCode == HttpStatusCode.Accepted, settings.Orders);
            return (accepted, await WaitForTerminalAsync(client, observer, (int)accepted.Succeeded, TerminalTimeout(settings, accepted.Succeeded), system, unfinished));
        }

        // Warm-up, not counted: JIT-built processes (the emulator at least) tier up their hot paths during the first
        // tens of seconds under load. As many orders as phase 1 (fewer if the warm-up time ends first), so the backlog
        // does not outgrow phase 1's; they are waited for, then forgotten.
        if (settings.Warmup > TimeSpan.Zero)
        {
            progress.WriteLine($"B2 warm-up: up to {settings.Orders} orders in {settings.Warmup.TotalSeconds:0.#} s, {settings.Connections} connections");
            await SubmitUntilTerminalAsync("b2warm", settings.Warmup);
            await client.DeleteAsync(new Uri(observer, "/observed"));
            await WaitUntilSettledAsync(system, SettleTimeout, unfinished, "the warm-up");
        }

        var before = system.Sample();
        var sidecar = new Uri($"http://127.0.0.1:{system["ordering"].SidecarPort}");
        var exchangesBefore = await ExchangeCounts.ReadAsync(client, sidecar);

        // Phase 1: maximum rate; the clock runs until the last order is terminal.
        progress.WriteLine($"B2 phase 1: {settings.Orders} orders, {settings.Connections} connections");
        var started = Stopwatch.GetTimestamp();
        var (intake, terminal) = await SubmitUntilTerminalAsync("b2max", TimeSpan.FromHours(1));
        var lastTerminal = terminal.Length == 0 ? Stopwatch.GetTimestamp() : terminal.Max(o => o.Timestamp);
        var sagaSeconds = (double)(lastTerminal - started) / Stopwatch.Frequency;
        var maxRate = terminal.Length / sagaSeconds;
        var settled = await WaitUntilSettledAsync(system, SettleTimeout, unfinished, "phase 1");
        var settledSeconds = (double)(settled - started) / Stopwatch.Frequency;
        var afterPhase1 = system.Sample();
        // After the settle, so Audit's and Notification's work on phase 1's orders is in.
        var exchanges = ExchangeCounts.Delta(exchangesBefore, await ExchangeCounts.ReadAsync(client, sidecar));
        await File.WriteAllTextAsync(Path.Combine(work, "exchanges-phase1.json"), JsonSerializer.Serialize(exchanges, Json));
        await client.DeleteAsync(new Uri(observer, "/observed"));

        // Phase 2: open loop at half the maximum; latency from the scheduled send time (no coordinated omission).
        var rate = Math.Max(1, maxRate / 2);
        var count = (int)Math.Max(10, rate * settings.Duration.TotalSeconds);
        progress.WriteLine($"B2 phase 2: {count} orders at {rate:0} orders/s");
        var rateEvents = new OrderEvents("b2half-" + Guid.NewGuid().ToString("N")[..8], skus);
        var scheduled = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var rssMax = new Dictionary<string, long>(StringComparer.Ordinal);
        var failures = 0;
        var sends = new List<Task>(count);
        var phase2Start = Stopwatch.GetTimestamp();
        var nextSample = phase2Start;
        for (var i = 0; i < count; i++)
        {
            var due = phase2Start + (long)(i / rate * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < due)
            {
                var wait = (double)(due - Stopwatch.GetTimestamp()) / Stopwatch.Frequency;
                await Task.Delay(TimeSpan.FromSeconds(Math.Max(0.001, wait)));
            }

            if (Stopwatch.GetTimestamp() >= nextSample)
            {
                SampleRss(system, rssMax);
                nextSample += Stopwatch.Frequency / 2;
            }

            var sequence = i;
            sends.Add(Task.Run(async () =>
            {
                using var request = rateEvents.Request(ordersUrl, sequence);
                using var response = await client.SendAsync(request);
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    Interlocked.Increment(ref failures);
                    return;
                }

                var accepted = await response.Content.ReadFromJsonAsync<JsonElement>(Json);
                scheduled[accepted.GetProperty("orderId").GetString()!] = due;
            }));
        }

        await Task.WhenAll(sends);
        var phase2Terminal = await WaitForTerminalAsync(client, observer, scheduled.Count, TerminalTimeout(settings, scheduled.Count), system, unfinished, rssMax);
        var latency = new LatencyHistogram();
        foreach (var order in phase2Terminal)
        {
            if (scheduled.TryGetValue(order.OrderId, out var sent))
            {
                latency.RecordTicks(order.Timestamp - sent);
            }
        }

        await WaitUntilSettledAsync(system, SettleTimeout, unfinished, "phase 2");
        var after = system.Sample();
        return Report(unfinished, settings, system, intake, terminal, sagaSeconds, settledSeconds, maxRate, rate, latency, phase2Terminal, failures,
            before, afterPhase1, after, rssMax, exchanges, floor);
    }

    private static BenchmarkReport Report(List<string> unfinished, BenchSettings settings, EmulatedSystem system, LoadResult intake, ObservedOrder[] terminal, double sagaSeconds,
        double settledSeconds, double maxRate, double rate, LatencyHistogram latency, ObservedOrder[] phase2, int failures,
        IReadOnlyDictionary<string, ProcessSample> before, IReadOnlyDictionary<string, ProcessSample> afterPhase1,
        IReadOnlyDictionary<string, ProcessSample> after, Dictionary<string, long> rssMax, IReadOnlyList<ExchangeRow> exchanges, LoadResult floor)
    {
        var report = new BenchmarkReport("B2 whole saga");
        report.Notes.AddRange(unfinished.Select(u => "INCOMPLETE: " + u));
        var completed = terminal.Count(o => o.Status == "Completed");
        report.Tables.Add(new ResultTable(ThroughputTitle, "orders", "connections", "intake req/s", "intake errors", "submit → last terminal s", "orders/s (terminal)",
                "submit → all subscribers idle s", "orders/s (all subscribers)", "completed", "cancelled")
            .Add(Figures.Count(terminal.Length), settings.Connections.ToString(System.Globalization.CultureInfo.InvariantCulture), Figures.Rate(intake.RequestsPerSecond),
                intake.FailureSummary, Figures.Seconds(sagaSeconds), Figures.Rate(maxRate), Figures.Seconds(settledSeconds),
                Figures.Rate(terminal.Length / Math.Max(settledSeconds, sagaSeconds)), Figures.Count(completed), Figures.Count(terminal.Length - completed)));
        report.Tables.Add(new ResultTable(LatencyTitle, "rate orders/s", "orders", "submit errors", "p50 ms", "p99 ms", "mean ms", "max ms")
            .Add(Figures.Rate(rate), Figures.Count(phase2.Length), failures.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Figures.Ms(latency.PercentileMilliseconds(50)), Figures.Ms(latency.PercentileMilliseconds(99)), Figures.Ms(latency.MeanMilliseconds), Figures.Ms(latency.MaxMicroseconds / 1000)));
        var processes = new ResultTable(ProcessTitle, "process", "CPU s phase 1", "CPU ms / order phase 1", "CPU s phase 2", "RSS max phase 2 MB", "peak RSS (VmHWM) MB", "≤ 100 MB at steady load");
        var worst = 0L;
        foreach (var process in system.Processes)
        {
            var phase1Cpu = afterPhase1[process.Name].CpuSeconds - before[process.Name].CpuSeconds;
            var phase2Cpu = after[process.Name].CpuSeconds - afterPhase1[process.Name].CpuSeconds;
            var steady = rssMax.GetValueOrDefault(process.Name, after[process.Name].RssBytes);
            var isService = process.Name is "ordering" or "inventory" or "payment" or "notification" or "audit";
            if (isService)
            {
                worst = Math.Max(worst, steady);
            }

            processes.Add(process.Name, Figures.Seconds(phase1Cpu), (phase1Cpu * 1000 / Math.Max(1, terminal.Length)).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture),
                Figures.Seconds(phase2Cpu), Figures.Megabytes(steady), Figures.Megabytes(after[process.Name].PeakRssBytes),
                isService ? Figures.Verdict(steady <= 100L * 1024 * 1024) : "n/a");
        }

        report.Tables.Add(processes);
        report.Tables.Add(ExchangeCounts.Table(exchanges, completed, [.. system.Apps.Select(a => a.AppId).Where(a => a != ObserverAppId)]));
        var floorRatio = floor.RequestsPerSecond == 0 ? 0 : maxRate / floor.RequestsPerSecond;
        report.Tables.Add(new ResultTable(FloorTitle, "baseline req/s", "baseline p99 ms", "orders/s (terminal)", "orders/s ÷ baseline req/s", "1 order per N baseline requests")
            .Add(Figures.Rate(floor.RequestsPerSecond), Figures.Ms(floor.Latency.PercentileMilliseconds(99)), Figures.Rate(maxRate),
                floorRatio.ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
                floorRatio == 0 ? "n/a" : (1 / floorRatio).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)));
        report.Tables.Add(new ResultTable("B2 targets", "target", "measured", "verdict")
            .Add("≥ 1,000 orders/s", Figures.Rate(maxRate), Figures.Verdict(maxRate >= 1000))
            .Add("issue 20: orders/s ≥ 1/30 of the baseline req/s", floorRatio == 0 ? "n/a" : $"1/{1 / floorRatio:0.0}", Figures.Verdict(floorRatio >= 1.0 / 30))
            .Add("each service ≤ 100 MB RSS at steady load", Figures.Megabytes(worst) + " MB (largest)", Figures.Verdict(worst <= 100L * 1024 * 1024)));
        report.Notes.Add("Terminal = the order.completed / order.cancelled event reached an observer app (app-id bench-observer, one more subscriber on `order-completed` and `order-cancelled`; the benchmark's copy of components/in-memory adds it to the pubsub scopes).");
        report.Notes.Add($"Each order: one line, 1 unit, on one of {(settings.Smoke ? 4 : 50)} SKUs stocked through Inventory's PUT /stock/{{sku}} before the run (one Stock actor per SKU).");
        report.Notes.Add($"Warm-up before phase 1: up to {Figures.Count(settings.Orders)} orders in at most {settings.Warmup.TotalSeconds:0.#} s at {settings.Connections} connections, waited for until terminal and not counted (CPU columns start after it).");
        report.Notes.Add("RSS max phase 2: highest VmRSS sampled every 0.5 s during phase 2. CPU from /proc/<pid>/stat utime+stime.");
        report.Notes.Add($"All subscribers idle: the processes together used less than {IdleCores:0.##} of a core over {SettleWindow.TotalSeconds:0.#} s (Audit and Notification finish after the order is terminal). Phase 2 starts then, and each phase's CPU columns run until then.");
        report.Notes.Add($"Exchanges: the emulator's counts (GET /emulator/v1.0/exchanges) from the start of phase 1 until all subscribers were idle after it, divided by its completed orders; one order alone costs what tests/DaprOrders.EndToEnd.Tests/ExchangeCountTests.cs pins (docs/saga.md, \"Exchanges per order\"). {ObserverAppId} is the benchmark's own subscriber, not in the total.");
        report.Notes.Add($"Floor: B1's one-hop baseline (a Kestrel endpoint making one awaited loopback POST to a stand-in sidecar), measured in this run before the system started, {settings.Connections} connections, {settings.Warmup.TotalSeconds:0.#} s warm-up + {settings.Duration.TotalSeconds:0.#} s. Orders/s is phase 1's.");
        report.Notes.Add("Services ran as their Release builds (dotnet app.dll), with the runtime settings of their project files (docs/benchmarks.md, Memory).");
        return report;
    }

    // Idle services still run timers (flushes, health probes, reminders): a tenth of a core is well above that and
    // well below a saga under load (both cores busy).
    private const double IdleCores = 0.1;
    private static readonly TimeSpan SettleWindow = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Waits until every process together is nearly idle; returns the timestamp at which the quiet window began.</summary>
    private static async Task<long> WaitUntilSettledAsync(EmulatedSystem system, TimeSpan timeout, List<string> unfinished, string after)
    {
        static double TotalCpu(EmulatedSystem system) => system.Processes.Sum(p => p.Sample().CpuSeconds);
        var start = Stopwatch.GetTimestamp();
        var (windowStart, cpuAtStart) = (start, TotalCpu(system));
        while (Stopwatch.GetElapsedTime(start) < timeout)
        {
            await Task.Delay(SettleWindow);
            var (now, cpu) = (Stopwatch.GetTimestamp(), TotalCpu(system));
            var cores = (cpu - cpuAtStart) / Stopwatch.GetElapsedTime(windowStart, now).TotalSeconds;
            if (cores < IdleCores)
            {
                return windowStart;
            }

            (windowStart, cpuAtStart) = (now, cpu);
        }

        unfinished.Add($"the processes were still busy {timeout.TotalSeconds:0} s after {after}; what follows overlaps with that work.");
        return Stopwatch.GetTimestamp();
    }

    private static TimeSpan TerminalTimeout(BenchSettings settings, long orders) =>
        TimeSpan.FromSeconds(Math.Max(settings.Smoke ? 90 : 120, orders / 20.0));


    private static async Task StockAsync(HttpClient client, Uri inventory, IReadOnlyList<string> skus)
    {
        foreach (var sku in skus)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(inventory, $"/stock/{sku}"))
            {
                Content = JsonContent.Create(new { available = 100_000_000 }),
            };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", OperatorToken);
            using var response = await client.SendAsync(request);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"stocking {sku} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }
    }

    private static void SampleRss(EmulatedSystem system, Dictionary<string, long> rssMax)
    {
        foreach (var process in system.Processes)
        {
            rssMax[process.Name] = Math.Max(rssMax.GetValueOrDefault(process.Name), process.Sample().RssBytes);
        }
    }

    private static async Task<ObservedOrder[]> WaitForTerminalAsync(HttpClient client, Uri observer, int expected, TimeSpan timeout,
        EmulatedSystem system, List<string> unfinished, Dictionary<string, long>? rssMax = null)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var count = await client.GetFromJsonAsync<int>(new Uri(observer, "/observed/count"), Json);
            if (count >= expected)
            {
                return await client.GetFromJsonAsync<ObservedOrder[]>(new Uri(observer, "/observed"), Json) ?? [];
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                // A benchmark that cannot finish still has a result: the rate at which orders did finish.
                unfinished.Add($"only {count} of {expected} orders were terminal after {timeout.TotalSeconds:0} s (logs: {Path.GetDirectoryName(system.Emulator.LogPath)}); figures cover those.");
                return await client.GetFromJsonAsync<ObservedOrder[]>(new Uri(observer, "/observed"), Json) ?? [];
            }

            if (rssMax is not null)
            {
                SampleRss(system, rssMax);
            }

            await Task.Delay(200);
        }
    }

    /// <summary>
    /// The repository's resources with one change: the pubsub component also lets the observer app subscribe to
    /// `order-completed` and `order-cancelled` (component scopes and subscriptionScopes). Everything else is byte for byte what `dapr run -f .` loads.
    /// </summary>
    private static IReadOnlyList<string> ObservableResources(string directory)
    {
        var inMemory = Path.Combine(directory, "in-memory");
        Directory.CreateDirectory(inMemory);
        foreach (var file in Directory.GetFiles(Path.Combine(BuildOutputs.RepositoryRoot, "components", "in-memory"), "*.yaml"))
        {
            var text = File.ReadAllText(file);
            if (Path.GetFileName(file) == "pubsub.yaml")
            {
                var scoped = SubscriptionScopes().Replace(text, $"$1{ObserverAppId}=order-completed,order-cancelled;", 1);
                scoped = ComponentScopes().Replace(scoped, $"$1  - {ObserverAppId}\n", 1);
                if (scoped == text || !scoped.Contains($"- {ObserverAppId}", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"could not add {ObserverAppId} to the scopes of {file}");
                }

                text = scoped;
            }

            File.WriteAllText(Path.Combine(inMemory, Path.GetFileName(file)), text);
        }

        return [Path.Combine(BuildOutputs.RepositoryRoot, "components", "shared"), inMemory];
    }

    [GeneratedRegex("(name: subscriptionScopes\\s*\\n\\s*value: \")")]
    private static partial Regex SubscriptionScopes();

    [GeneratedRegex("(\\nscopes:\\s*\\n)")]
    private static partial Regex ComponentScopes();
}

/// <summary>One order's terminal event as the observer app recorded it.</summary>
internal sealed record ObservedOrder(string OrderId, string Status, long Timestamp);
