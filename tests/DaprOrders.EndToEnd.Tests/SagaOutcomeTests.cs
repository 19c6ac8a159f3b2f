using DaprOrders.Contracts;
using DaprOrders.EndToEnd.Tests.Infrastructure;

namespace DaprOrders.EndToEnd.Tests;

/// <summary>The saga's three outcomes through the services' real HTTP endpoints: Completed, out of stock, declined.</summary>
public sealed class SagaOutcomeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_paid_order_in_stock_completes_with_one_charge_one_notification_and_the_full_timeline()
    {
        await using var system = await OrderSystem.StartAsync(o => o.Output = output);
        var sku = TestOrders.NewSku();
        await system.SetStockAsync(sku, 10);

        var orderId = await system.SubmitAsync(TestOrders.Order(TestOrders.Customer(), (sku, 2, 1500)));

        var order = await system.WaitForTerminalAsync(orderId);
        Assert.Equal("Completed", order.Status);
        // A reservation is final unless the order is cancelled: the two units stay reserved (until the hold retention
        // makes them committed); Inventory does not act on order.completed.
        await Eventually.UntilAsync(() => system.GetStockAsync(sku), s => s is { Available: 8, Reserved: 2, Committed: 0 }, "stock reserved");
        await Eventually.UntilAsync(() => system.GetNotificationsAsync(orderId), n => n.Count == 1, "one notification");
        var timeline = await Eventually.UntilAsync(
            () => system.GetAuditTimelineTypesAsync(orderId),
            t => t.Contains(EventTypes.NotificationSent),
            "notification.sent on the audit timeline");

        await system.QuiesceAsync();
        timeline = await system.GetAuditTimelineTypesAsync(orderId);
        // Each event once. Audit takes each topic by bulk subscribe, and windows of different topics flush in no
        // particular order, so the timeline's arrival order is not the saga's order.
        Assert.Equal(
            new[] { EventTypes.OrderCreated, EventTypes.StockReserved, EventTypes.PaymentRequested, EventTypes.PaymentSucceeded,
                EventTypes.OrderCompleted, EventTypes.NotificationSent }.Order(StringComparer.Ordinal),
            timeline.Order(StringComparer.Ordinal));
        Assert.Equal(1, system.CountPublished(orderId, EventTypes.PaymentSucceeded));
        Assert.Equal(1, await system.CountChargesAsync(orderId));
        Assert.Equal(1, await system.CountApprovedChargesAsync());
        Assert.Single(await system.GetNotificationsAsync(orderId));
        Assert.Equal(new StockLevel(sku, 8, 2, 0), await system.GetStockAsync(sku));
        var document = await system.GetOrderDocumentAsync(orderId);
        Assert.Equal(
            ["AwaitingPayment", "Completed"],
            document["history"]!.AsArray().Select(h => h!["status"]!.GetValue<string>()).Where(s => s != "Submitted"));
    }

    [Fact]
    public async Task An_order_for_more_than_the_stock_is_cancelled_out_of_stock_without_a_charge()
    {
        await using var system = await OrderSystem.StartAsync(o => o.Output = output);
        var sku = TestOrders.NewSku();
        await system.SetStockAsync(sku, 1);

        var orderId = await system.SubmitAsync(TestOrders.Order(TestOrders.Customer(), (sku, 2, 1500)));

        var order = await system.WaitForTerminalAsync(orderId);
        Assert.Equal(("Cancelled", "out-of-stock"), (order.Status, order.Reason));
        await Eventually.UntilAsync(() => system.GetNotificationsAsync(orderId), n => n.Count == 1, "the cancellation notification");
        await system.QuiesceAsync();
        Assert.Equal(new StockLevel(sku, 1, 0, 0), await system.GetStockAsync(sku));
        Assert.Equal(0, system.CountPublished(orderId, EventTypes.PaymentRequested));
        Assert.Equal(0, system.CountPublished(orderId, EventTypes.PaymentSucceeded));
        Assert.Equal(0, await system.CountChargesAsync(orderId));
        Assert.Equal(0, await system.CountApprovedChargesAsync());
        Assert.Equal(1, system.CountPublished(orderId, EventTypes.StockRejected));
        Assert.Equal(1, system.CountPublished(orderId, EventTypes.OrderCancelled));
    }

    public static TheoryData<string, long, string> Declines => new()
    {
        { "declined customer", 1500, "declined-" },
        // PaymentGateway:DeclineAboveMinorUnits defaults to 1,000,000 (10,000.00).
        { "amount over the limit", 1_000_001, "customer-" },
    };

    [Theory]
    [MemberData(nameof(Declines))]
    public async Task A_declined_payment_cancels_the_order_and_releases_the_stock(string why, long unitPrice, string customerPrefix)
    {
        await using var system = await OrderSystem.StartAsync(o => o.Output = output);
        var sku = TestOrders.NewSku();
        await system.SetStockAsync(sku, 5);

        var orderId = await system.SubmitAsync(TestOrders.Order(customerPrefix + Guid.NewGuid().ToString("N")[..8], (sku, 1, unitPrice)));

        var order = await system.WaitForTerminalAsync(orderId);
        Assert.True(order is { Status: "Cancelled", Reason: "payment-declined" }, $"{why}: {order}");
        await Eventually.UntilAsync(() => system.GetStockAsync(sku), s => s == new StockLevel(sku, 5, 0, 0), "stock released to its initial level");
        await system.QuiesceAsync();
        Assert.Equal(1, system.CountPublished(orderId, EventTypes.PaymentFailed));
        Assert.Equal(1, system.CountPublished(orderId, EventTypes.StockReleased));
        Assert.Equal(0, system.CountPublished(orderId, EventTypes.PaymentSucceeded));
        Assert.Equal(0, await system.CountChargesAsync(orderId));
        Assert.Equal(0, await system.CountApprovedChargesAsync());
        Assert.Equal(new StockLevel(sku, 5, 0, 0), await system.GetStockAsync(sku));
    }
}
