using System.CommandLine;
using DaprOrders.Bench.Benchmarks;
using DaprOrders.Bench.Reporting;

// daprorders-bench <intake|saga|seeds> [--smoke] [--duration s] [--connections n] [--orders n] [--gc server|workstation]
// Each command starts its system under test as child processes, measures, and prints Markdown tables.
var smoke = new Option<bool>("--smoke") { Description = "A few seconds with tiny counts: checks the benchmark works, measures nothing" };
var duration = new Option<double?>("--duration") { Description = "Measured seconds per run (default 20; warm-up not counted)" };
var warmup = new Option<double?>("--warmup") { Description = "Warm-up seconds per run (B2: before phase 1), not counted (default 15)" };
var connections = new Option<int?>("--connections") { Description = "Concurrent connections of the closed-loop runs (default 32)" };
var orders = new Option<int?>("--orders") { Description = "Orders in the saga's throughput phase (default 10000)" };
var gc = new Option<string?>("--gc") { Description = "server or workstation: DOTNET_gcServer for every started app (default: each app's own)" };
gc.AcceptOnlyFromAmong("server", "workstation");
var set = new Option<string[]>("--set")
{
    Description = "app:KEY=VALUE configuration for one app of an emulated run (repeatable), e.g. audit:Audit__BulkSubscribe=false; "
        + "the app 'emulator' sets the emulator process's environment, e.g. emulator:DOTNET_GCgen0size=0x4000000",
    AllowMultipleArgumentsPerToken = false,
};
var output = new Option<string?>("--output") { Description = "Also append the tables to this Markdown file" };

BenchSettings Settings(ParseResult parse)
{
    var settings = parse.GetValue(smoke) ? BenchSettings.ForSmoke(Path.Combine(Path.GetTempPath(), "daprorders-bench-smoke", Guid.NewGuid().ToString("N"))) : new BenchSettings();
    return settings with
    {
        Duration = parse.GetValue(duration) is { } d ? TimeSpan.FromSeconds(d) : settings.Duration,
        Warmup = parse.GetValue(warmup) is { } w ? TimeSpan.FromSeconds(w) : settings.Warmup,
        Connections = parse.GetValue(connections) ?? settings.Connections,
        Orders = parse.GetValue(orders) ?? settings.Orders,
        AppSettings = parse.GetValue(set) ?? [],
        ServerGc = parse.GetValue(gc) switch { "server" => true, "workstation" => false, _ => null },
    };
}

Command Benchmark(string name, string description, Func<BenchSettings, TextWriter, Task<BenchmarkReport>> run)
{
    var command = new Command(name, description) { smoke, duration, warmup, connections, orders, gc, set, output };
    command.SetAction(async (parse, _) =>
    {
        var settings = Settings(parse);
        Console.Error.WriteLine($"work directory (logs, run template): {settings.WorkDirectory}");
        var report = await run(settings, Console.Error);
        var markdown = report.ToMarkdown();
        Console.WriteLine(markdown);
        if (parse.GetValue(output) is { } file)
        {
            await File.AppendAllTextAsync(file, markdown + Environment.NewLine);
        }

        return 0;
    });
    return command;
}

var root = new RootCommand("daprorders-bench: DaprOrders benchmarks on the emulator (not real Dapr); the load generator is this process")
{
    Benchmark("intake", "B1: POST /orders throughput and latency against the one-hop baseline", IntakeBenchmark.RunAsync),
    Benchmark("saga", "B2: whole saga through the five services: orders/s, submit→terminal latency, CPU and RSS per process", SagaBenchmark.RunAsync),
    Benchmark("seeds", "B3: the seeds' synchronous invocation chain against the asynchronous accept path", SeedsBenchmark.RunAsync),
};
return await root.Parse(args).InvokeAsync();
