using DaprOrders.Chaos.Run;

namespace DaprOrders.Chaos.Tests;

/// <summary>
/// The chaos run of tools/DaprOrders.Chaos at test size: 100 orders under 20 % failed delivery attempts, every event
/// twice, random delays, poisoned events, and an app connection restart mid-run, all at once; then heal, replay the
/// dead letters and check every invariant (docs/reliability.md). The delivery retry budget is the run's default (10
/// retries), so the dead letters must hold exactly the poisoned events.
/// </summary>
public sealed class ChaosRunTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Under_every_fault_at_once_nothing_is_lost_doubled_or_let_in()
    {
        var report = await new ChaosRun(new ChaosRunOptions
        {
            Orders = 100,
            BatchSize = 50,
            PoisonedOrders = 3,
            Progress = line => output.WriteLine(line),
        }).ExecuteAsync();

        var table = report.FormatTable();
        output.WriteLine(report.FormatCounters());
        output.WriteLine(table);
        Assert.True(report.AllHold, table);

        // The faults really happened: the restart, and the poison (and nothing else) in the dead letters.
        Assert.Equal(1, report.Counters["restarts"]);
        Assert.Equal(3, report.Counters["deadLetters.poisoned"]);
        Assert.Equal(3, report.Counters["deadLetters.total"]);
        Assert.True(report.Counters["deliveries.exhausted"] >= 3, report.FormatCounters());
        Assert.True(report.Counters.GetValueOrDefault("outcome.Completed") > 0, report.FormatCounters());
        Assert.True(report.Counters.GetValueOrDefault("outcome.Cancelled/out-of-stock") > 0, report.FormatCounters());
        Assert.True(report.Counters.GetValueOrDefault("outcome.Cancelled/payment-declined") > 0, report.FormatCounters());

        // Duplicates do not multiply down the saga: only the first repeat of an input announces its step again
        // (docs/saga.md). Every delivery arrives twice and a fifth fail, so if every repeat announced, Ordering's endings
        // and Notification's notification.sent would go out about 7 and 14 times per order; with the mark, about 2.4.
        var endings = report.Counters.GetValueOrDefault("published.pubsub/order-completed") + report.Counters.GetValueOrDefault("published.pubsub/order-cancelled");
        Assert.InRange(endings, 100, 400);
        Assert.InRange(report.Counters.GetValueOrDefault("published.pubsub/notification-sent"), 100, 400);
    }
}
