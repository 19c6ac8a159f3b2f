using DaprOrders.EndToEnd.Tests.Infrastructure;
using DaprOrders.OrderCli;

namespace DaprOrders.EndToEnd.Tests;

public sealed class ConcurrencyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_hundred_concurrent_orders_for_fifty_units_complete_exactly_fifty_and_never_oversell()
    {
        const int units = 50;
        const int orders = 200;
        await using var system = await OrderSystem.StartAsync(o => o.Output = output);
        var sku = TestOrders.NewSku();
        await system.SetStockAsync(sku, units);

        // Watch the stock level the whole time: it must never go below zero, not even for a moment.
        using var stopWatching = new CancellationTokenSource();
        var levels = new List<StockLevel>();
        var watcher = Task.Run(async () =>
        {
            using var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
            while (!stopWatching.IsCancellationRequested)
            {
                levels.Add(await system.GetStockAsync(sku));
                try
                {
                    await ticks.WaitForNextTickAsync(stopWatching.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });

        // The CLI's core submits them, 32 requests in flight, and polls until every order is terminal.
        var submissions = Enumerable.Range(0, orders)
            .Select(_ => OrderSubmissionEvent.Create(TestOrders.Order(TestOrders.Customer(), (sku, 1, 1500))))
            .ToList();
        var run = new OrderRun(system.Intake(), TimeProvider.System);
        var report = await run.RunAsync(submissions, new OrderRunOptions { Concurrency = 32, TerminalTimeout = TimeSpan.FromSeconds(90) });
        output.WriteLine($"{orders} orders terminal after {report.Elapsed.TotalSeconds:0.0} s: {string.Join(", ", report.Outcomes)}");

        // The fifty completed orders hold the fifty units; every out-of-stock order holds none.
        await Eventually.UntilAsync(() => system.GetStockAsync(sku), s => s == new StockLevel(sku, 0, units, 0), "all fifty units reserved");
        await stopWatching.CancelAsync();
        await watcher;

        Assert.True(report.AllTerminal, string.Join(", ", report.Outcomes));
        Assert.Equal(units, report.Count(OrderOutcome.Completed));
        Assert.Equal(orders - units, report.CountCancelled("out-of-stock"));
        Assert.NotEmpty(levels);
        Assert.All(levels, l => Assert.True(l.Available >= 0 && l.Available + l.Reserved + l.Committed == units, $"stock level {l}"));
        // One approved charge per completed order, none for the others.
        Assert.Equal(units, await system.CountApprovedChargesAsync());
    }
}
