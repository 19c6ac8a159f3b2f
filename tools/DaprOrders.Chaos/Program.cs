using System.Globalization;
using DaprOrders.Chaos.Harness;
using DaprOrders.Chaos.Run;

// dotnet run --project tools/DaprOrders.Chaos -c Release -- --orders 10000 [--seed N] [--batch N] [--poisoned N]
//   [--delivery-retries N (default 10) | --shipped-policy]
// Prints progress, the counters and the invariant table; exit code 0 when every invariant holds, 1 otherwise,
// 2 for bad arguments.
var options = new ChaosRunOptions { Orders = 10_000, BatchSize = 250 };
for (var i = 0; i < args.Length; i++)
{
    int Next() => i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
        ? value
        : throw new ArgumentException($"{args[i]} needs a positive number");
    try
    {
        options = args[i] switch
        {
            "--orders" => options with { Orders = Next() },
            "--seed" => options with { Seed = Next() },
            "--batch" => options with { BatchSize = Next() },
            "--poisoned" => options with { PoisonedOrders = Next() },
            "--concurrency" => options with { Concurrency = Next() },
            "--delivery-retries" => options with { DeliveryMaxRetries = Next() },
            "--shipped-policy" => options with { DeliveryMaxRetries = null },
            "--no-faults" => options with { InjectFaults = false },
            "--verbose" => options with { Verbose = true },
            _ => throw new ArgumentException($"unknown argument {args[i]}"),
        };
    }
    catch (ArgumentException ex)
    {
        Console.Error.WriteLine($"{ex.Message}{Environment.NewLine}usage: DaprOrders.Chaos [--orders N] [--seed N] [--batch N] [--poisoned N] [--concurrency N] [--delivery-retries N | --shipped-policy]");
        return 2;
    }
}

// WebApplicationFactory finds a service's content root through a manifest that only test projects get; an exe
// names it the documented way (ASPNETCORE_TEST_CONTENTROOT_<ASSEMBLY>).
foreach (var (assembly, folder) in new[] { ("ORDERING", "Ordering"), ("INVENTORY", "Inventory"), ("PAYMENT", "Payment"), ("NOTIFICATION", "Notification"), ("AUDIT", "Audit") })
{
    Environment.SetEnvironmentVariable($"ASPNETCORE_TEST_CONTENTROOT_DAPRORDERS_{assembly}", Path.Combine(RepositoryRoot.Path, "services", folder));
}

options = options with { Progress = line => Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {line}") };
var report = await new ChaosRun(options).ExecuteAsync();
Console.WriteLine();
Console.WriteLine($"{report.Orders} orders in {report.Duration:hh\\:mm\\:ss} (virtual time +{report.VirtualTime})");
Console.WriteLine(report.FormatCounters());
Console.WriteLine();
Console.WriteLine(report.FormatTable());
if (!report.AllHold || options.Verbose)
{
    Console.WriteLine("first warnings and errors of the run:");
    foreach (var line in report.LogSample.Take(60))
    {
        Console.WriteLine("  " + line.ReplaceLineEndings(" ")[..Math.Min(line.Length, 600)]);
    }
}

Console.WriteLine(report.AllHold ? "all invariants hold" : "INVARIANTS VIOLATED");
return report.AllHold ? 0 : 1;
