namespace DaprOrders.Contracts.Tests;

/// <summary>One realistic instance of every contract record, keyed by CloudEvent type.</summary>
internal static class Samples
{
    private const string OrderId = "01JDQ7ZK3M9Q4X1V8N2B6C5D7E";
    private const string CustomerId = "c-1042";

    // Non-UTC offset and sub-second precision: RFC 3339 must survive both.
    private static readonly DateTimeOffset At = new(2026, 11, 23, 18, 45, 46, 123, TimeSpan.FromHours(1));

    private static readonly Money Total = new(4997, "EUR");

    public static IReadOnlyDictionary<string, object> ByType { get; } = new Dictionary<string, object>(StringComparer.Ordinal)
    {
        [EventTypes.OrderSubmitted] = new OrderSubmission
        {
            CustomerId = CustomerId,
            Currency = "EUR",
            Lines = [new OrderSubmissionLine { Sku = "sku-1", Quantity = 2, UnitPrice = 1999 }, new OrderSubmissionLine { Sku = "BOOK.42_b", Quantity = 1, UnitPrice = 999 }],
        },
        [EventTypes.OrderCreated] = new OrderCreated(
            OrderId, CustomerId, "EUR", [new OrderLine("sku-1", 2, 1999), new OrderLine("BOOK.42_b", 1, 999)], Total, At),
        [EventTypes.PaymentRequested] = new PaymentRequested(OrderId, CustomerId, Total, At),
        [EventTypes.OrderCompleted] = new OrderCompleted(OrderId, CustomerId, Total, At),
        [EventTypes.OrderCancelled] = new OrderCancelled(OrderId, CustomerId, CancellationReason.PaymentDeclined, At, "card expired"),
        [EventTypes.StockReserved] = new StockReserved(OrderId, [new StockLine("sku-1", 2), new StockLine("BOOK.42_b", 1)], At),
        [EventTypes.StockRejected] = new StockRejected(OrderId, [new StockShortage("sku-1", 2, 0)], At),
        [EventTypes.StockReleased] = new StockReleased(OrderId, [new StockLine("sku-1", 2)], At),
        [EventTypes.PaymentSucceeded] = new PaymentSucceeded(OrderId, "pay_8f3a", Total, At),
        [EventTypes.PaymentFailed] = new PaymentFailed(OrderId, "Insufficient funds", "insufficient-funds", At),
        [EventTypes.PaymentRefunded] = new PaymentRefunded(OrderId, "pay_8f3a", Total, At),
        [EventTypes.NotificationSent] = new NotificationSent(OrderId, CustomerId, NotificationKind.OrderCompleted, "email", At),
    };
}
