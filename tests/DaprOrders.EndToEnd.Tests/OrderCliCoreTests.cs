extern alias ordering;

using System.Net;
using DaprOrders.Contracts;
using DaprOrders.OrderCli;

namespace DaprOrders.EndToEnd.Tests;

/// <summary>The CLI's pure parts: report arithmetic, sample orders, and its copy of Ordering's order-id rule.</summary>
public sealed class OrderCliCoreTests
{
    [Theory]
    [InlineData(50, 5)]
    [InlineData(99, 10)]
    [InlineData(100, 10)]
    [InlineData(1, 1)]
    public void Percentiles_use_the_nearest_rank(int percentile, int expectedMs)
    {
        var values = Enumerable.Range(1, 10).Select(i => TimeSpan.FromMilliseconds(i)).Reverse();

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), OrderRunReport.Percentile(values, percentile));
    }

    [Fact]
    public void The_summary_groups_outcomes_and_cancellation_reasons()
    {
        var cloudEvent = OrderSubmissionEvent.Create(SampleOrders.Create(SampleKind.Happy, "t"));
        OrderResult Result(OrderOutcome outcome, string? reason = null, HttpStatusCode status = HttpStatusCode.Accepted) =>
            new(cloudEvent, "id", status, TimeSpan.FromMilliseconds(3), outcome, reason, outcome is OrderOutcome.Completed or OrderOutcome.Cancelled ? TimeSpan.FromSeconds(1) : null);
        var report = new OrderRunReport(
            [
                Result(OrderOutcome.Completed), Result(OrderOutcome.Completed),
                Result(OrderOutcome.Cancelled, "out-of-stock"), Result(OrderOutcome.TimedOut),
                Result(OrderOutcome.Rejected, status: HttpStatusCode.BadRequest),
            ],
            TimeSpan.FromSeconds(2));

        Assert.Equal(
            [new OutcomeCount("Cancelled (out-of-stock)", 1), new OutcomeCount("Completed", 2), new OutcomeCount("Rejected (400)", 1), new OutcomeCount("Timed out", 1)],
            report.Outcomes);
        Assert.False(report.AllTerminal);
        Assert.Equal(1, report.CountCancelled("out-of-stock"));
    }

    [Theory]
    [InlineData(SampleKind.Happy)]
    [InlineData(SampleKind.OutOfStock)]
    [InlineData(SampleKind.Declined)]
    [InlineData(SampleKind.Flaky)]
    public void Every_sample_is_a_valid_submission(SampleKind kind) =>
        Assert.Empty(OrderSubmissionValidator.Validate(SampleOrders.Create(kind, "abc")));

    [Fact]
    public void Random_orders_are_valid_and_use_the_given_skus()
    {
        var orders = SampleOrders.Random(50, DemoCatalog.Skus, new Random(1));

        Assert.All(orders, o => Assert.Empty(OrderSubmissionValidator.Validate(o)));
        Assert.All(orders.SelectMany(o => o.Lines!), l => Assert.Contains(l!.Sku!, DemoCatalog.Skus));
    }

    [Theory]
    [InlineData("daprorders-cli", "1")]
    [InlineData("https://shop.example/checkout", "0b9f6c1e-7d7a-4c0e-9b7e-5f1d2a3b4c5d")]
    public void The_cli_derives_the_same_order_id_as_ordering(string source, string id) =>
        Assert.Equal(ordering::DaprOrders.Ordering.Orders.OrderIdentity.DeriveOrderId(source, id), OrderIds.Derive(source, id));
}
