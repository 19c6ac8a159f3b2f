using System.Globalization;
using DaprOrders.Bench.Benchmarks;
using DaprOrders.Bench.Reporting;
using Xunit.Abstractions;

namespace DaprOrders.Benchmarks.Tests;

/// <summary>
/// Each benchmark's core in smoke mode, against the real build outputs (emulator executable, services, bench apps as
/// processes). One class: the three run one after another, never competing with each other for the CPU.
/// </summary>
public sealed class BenchmarkSmokeTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "daprorders-bench-tests", Guid.NewGuid().ToString("N"));

    private BenchSettings Smoke => BenchSettings.ForSmoke(_work);

    [Fact]
    public async Task Intake_smoke_measures_baseline_and_ordering_in_one_table()
    {
        var report = await IntakeBenchmark.RunAsync(Smoke, new TestOutputWriter(output));
        output.WriteLine(report.ToMarkdown());

        var table = AssertWellFormed(report, IntakeBenchmark.ResultsTitle);
        Assert.Equal(3, table.Rows.Count);
        foreach (var row in table.Rows)
        {
            Assert.True(Number(table, row, "req/s") > 0, $"no requests succeeded for {row[0]}");
            Assert.True(Number(table, row, "p50 ms") > 0, $"no latency for {row[0]}");
            Assert.True(Number(table, row, "p99 ms") >= Number(table, row, "p50 ms"));
        }

        Assert.Contains(report.Tables, t => t.Title == "B1 targets");
    }

    [Fact]
    public async Task Saga_smoke_takes_every_order_to_a_terminal_state_and_reads_every_process()
    {
        var report = await SagaBenchmark.RunAsync(Smoke, new TestOutputWriter(output));
        output.WriteLine(report.ToMarkdown());

        var throughput = AssertWellFormed(report, SagaBenchmark.ThroughputTitle);
        var row = Assert.Single(throughput.Rows);
        Assert.True(Number(throughput, row, "orders") > 0);
        Assert.True(Number(throughput, row, "orders/s (terminal)") > 0);
        // Audit and Notification finish after the terminal event, never before it.
        Assert.True(Number(throughput, row, "submit → all subscribers idle s") >= Number(throughput, row, "submit → last terminal s"));
        Assert.DoesNotContain(report.Notes, n => n.StartsWith("INCOMPLETE", StringComparison.Ordinal));
        Assert.Equal(Number(throughput, row, "orders"), Number(throughput, row, "completed") + Number(throughput, row, "cancelled"));

        // orders/s is read against B1's baseline, measured in the same run.
        var floor = AssertWellFormed(report, SagaBenchmark.FloorTitle);
        var floorRow = Assert.Single(floor.Rows);
        Assert.True(Number(floor, floorRow, "baseline req/s") > 0);
        Assert.Equal(Number(throughput, row, "orders/s (terminal)"), Number(floor, floorRow, "orders/s (terminal)"));
        var ratio = Number(floor, floorRow, "orders/s ÷ baseline req/s");
        Assert.True(ratio > 0);
        Assert.InRange(Number(floor, floorRow, "1 order per N baseline requests") * ratio, 0.98, 1.02);

        var latency = AssertWellFormed(report, SagaBenchmark.LatencyTitle);
        var latencyRow = Assert.Single(latency.Rows);
        Assert.True(Number(latency, latencyRow, "orders") > 0);
        Assert.True(Number(latency, latencyRow, "p50 ms") > 0);

        var processes = AssertWellFormed(report, SagaBenchmark.ProcessTitle);
        Assert.Equal(["emulator", "ordering", "inventory", "payment", "notification", "audit", "bench-observer"], processes.Rows.Select(r => r[0]));
        Assert.All(processes.Rows, r => Assert.True(Number(processes, r, "peak RSS (VmHWM) MB") > 0, $"no memory reading for {r[0]}"));

        // Every order costs exchanges in every service (each takes at least one delivery), and the total adds them up.
        var exchanges = AssertWellFormed(report, ExchangeCounts.Title);
        Assert.All(["ordering", "inventory", "payment", "notification", "audit"], app =>
            Assert.Contains(exchanges.Rows, r => r[0] == app && r[1] == "delivery"));
        var total = Assert.Single(exchanges.Rows, r => r[0] == "total (services)" && r[1] == "all");
        var subtotals = exchanges.Rows.Where(r => r[0] is not "total (services)" and not "bench-observer" && r[1] == "all").Sum(r => Number(exchanges, r, "exchanges"));
        Assert.Equal(subtotals, Number(exchanges, total, "exchanges"));
        Assert.True(Number(exchanges, total, "per completed order") > 0);
    }

    [Fact]
    public async Task Seeds_smoke_compares_the_synchronous_chain_with_the_asynchronous_accept()
    {
        var report = await SeedsBenchmark.RunAsync(Smoke, new TestOutputWriter(output));
        output.WriteLine(report.ToMarkdown());

        var table = AssertWellFormed(report, SeedsBenchmark.ResultsTitle);
        Assert.Equal(3, table.Rows.Count);
        foreach (var row in table.Rows)
        {
            Assert.True(Number(table, row, "req/s") > 0, $"no requests succeeded for {row[0]}");
            Assert.True(Number(table, row, "mean ms") > 0);
        }

        // The simulated work alone is 650 ms; whatever the machine, the chain cannot be faster than that.
        Assert.True(Number(table, table.Rows[0], "p50 ms") >= 650);
    }

    private static ResultTable AssertWellFormed(BenchmarkReport report, string title)
    {
        Assert.StartsWith("## ", report.ToMarkdown(), StringComparison.Ordinal);
        Assert.All(report.Tables, t =>
        {
            Assert.NotEmpty(t.Rows);
            Assert.All(t.Rows, r => Assert.Equal(t.Columns.Count, r.Count));
            Assert.All(t.Rows, r => Assert.All(r, cell => Assert.False(string.IsNullOrWhiteSpace(cell))));
        });
        var table = Assert.Single(report.Tables, t => t.Title == title);
        var markdown = table.ToMarkdown();
        Assert.Equal(table.Rows.Count + 2, markdown.Split('\n').Count(l => l.StartsWith('|')));
        return table;
    }

    private static double Number(ResultTable table, IReadOnlyList<string> row, string column)
    {
        var index = table.Columns.ToList().IndexOf(column);
        Assert.True(index >= 0, $"no column '{column}' in '{table.Title}'");
        Assert.True(double.TryParse(row[index].TrimEnd('×'), NumberStyles.Any, CultureInfo.InvariantCulture, out var value),
            $"'{row[index]}' in column '{column}' is not a number");
        return value;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // Logs of a process that is still exiting: left in the temp folder.
        }
    }

    /// <summary>Progress lines of a benchmark, into the test output.</summary>
    private sealed class TestOutputWriter(ITestOutputHelper output) : StringWriter(CultureInfo.InvariantCulture)
    {
        public override void WriteLine(string? value) => output.WriteLine(value ?? "");
    }
}
