using DaprOrders.EndToEnd.Tests.Infrastructure;
using DaprOrders.OrderCli;

namespace DaprOrders.EndToEnd.Tests;

/// <summary>
/// The core of <c>daprorders submit</c> (tools/DaprOrders.OrderCli: sample orders, submit, poll, report) against the
/// running system with Inventory's demo stock seeded, as the AppHost (services/DaprOrders.AppHost) runs it.
/// </summary>
public sealed class OrderCliTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_samples_reach_the_outcomes_they_are_named_after()
    {
        await using var system = await StartWithDemoStockAsync();
        var samples = new[] { SampleKind.Happy, SampleKind.OutOfStock, SampleKind.Declined }
            .Select(kind => OrderSubmissionEvent.Create(SampleOrders.Create(kind, Guid.NewGuid().ToString("N")[..8])))
            .ToList();

        var report = await new OrderRun(system.Intake(), TimeProvider.System).RunAsync(samples, new OrderRunOptions { TerminalTimeout = TimeSpan.FromSeconds(30) });

        Assert.Equal(
            ["Completed", "Cancelled (out-of-stock)", "Cancelled (payment-declined)"],
            report.Results.Select(OrderRunReport.Label));
        Assert.All(report.Results, r => Assert.NotNull(r.TimeToTerminal));
    }

    [Theory]
    [InlineData(SubmissionMode.Structured)]
    [InlineData(SubmissionMode.Binary)]
    [InlineData(SubmissionMode.Batch)]
    public async Task Random_orders_in_every_mode_all_reach_a_terminal_state_and_the_report_adds_up(SubmissionMode mode)
    {
        await using var system = await StartWithDemoStockAsync();
        var orders = SampleOrders.Random(20, DemoCatalog.Skus, new Random(7)).Select(s => OrderSubmissionEvent.Create(s)).ToList();
        var progress = new List<OrderRunProgress>();

        var report = await new OrderRun(system.Intake(), TimeProvider.System).RunAsync(
            orders,
            new OrderRunOptions { Mode = mode, Concurrency = 4, BatchSize = 6, TerminalTimeout = TimeSpan.FromSeconds(60) },
            new SynchronousProgress(progress));

        Assert.True(report.AllTerminal, string.Join(", ", report.Outcomes));
        // 1000 units per demo SKU: nothing runs out, every random customer is approved.
        Assert.Equal(20, report.Count(OrderOutcome.Completed));
        Assert.Equal(20, report.Results.Select(r => r.OrderId).Distinct().Count());
        Assert.Equal(new OutcomeCount("Completed", 20), Assert.Single(report.Outcomes));
        Assert.True(report.SubmitLatencyP50 <= report.SubmitLatencyP99);
        Assert.True(report.TimeToTerminalP50 > TimeSpan.Zero && report.TimeToTerminalP50 <= report.TimeToTerminalP99);
        lock (progress)
        {
            Assert.Contains(new OrderRunProgress(20, 20, 20), progress);
        }
    }

    private async Task<OrderSystem> StartWithDemoStockAsync()
    {
        var system = await OrderSystem.StartAsync(o =>
        {
            o.Output = output;
            o.Set("inventory", "Inventory:SeedDemoStock", "true");
        });

        // Inventory seeds in the background once its sidecar is ready.
        foreach (var sku in DemoCatalog.Skus)
        {
            await Eventually.UntilAsync(() => system.GetStockAsync(sku), s => s.Available > 0, $"demo stock of {sku}");
        }

        return system;
    }

    private sealed class SynchronousProgress(List<OrderRunProgress> seen) : IProgress<OrderRunProgress>
    {
        public void Report(OrderRunProgress value)
        {
            lock (seen)
            {
                seen.Add(value);
            }
        }
    }
}
