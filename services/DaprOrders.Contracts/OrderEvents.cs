using System.Text.Json.Serialization;

namespace DaprOrders.Contracts;

/// <summary>One priced order line; <see cref="UnitPrice"/> is in minor units of the order currency.</summary>
public sealed record OrderLine(string Sku, int Quantity, long UnitPrice);

/// <summary><c>daprorders.order.created.v1</c> on <c>orders</c>: an accepted order; starts the saga.</summary>
public sealed record OrderCreated(
    string OrderId,
    string CustomerId,
    string Currency,
    IReadOnlyList<OrderLine> Lines,
    Money Total,
    DateTimeOffset CreatedAt);

/// <summary><c>daprorders.payment.requested.v1</c> on <c>orders</c>: stock is reserved, charge the customer.</summary>
public sealed record PaymentRequested(string OrderId, string CustomerId, Money Amount, DateTimeOffset RequestedAt);

/// <summary><c>daprorders.order.completed.v1</c> on <c>orders</c>: stock reserved and payment taken.</summary>
public sealed record OrderCompleted(string OrderId, string CustomerId, Money Total, DateTimeOffset CompletedAt);

/// <summary>
/// <c>daprorders.order.cancelled.v1</c> on <c>orders</c>: the saga gave up; inventory releases stock and payment
/// refunds whatever it charged. <see cref="Detail"/> is optional (omitted from JSON when null), hence last.
/// </summary>
public sealed record OrderCancelled(
    string OrderId,
    string CustomerId,
    CancellationReason Reason,
    DateTimeOffset CancelledAt,
    string? Detail = null);

/// <summary>Why an order was cancelled; on the wire <c>out-of-stock</c>, <c>payment-declined</c>, <c>deadline-exceeded</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CancellationReason>))]
public enum CancellationReason
{
    [JsonStringEnumMemberName("out-of-stock")]
    OutOfStock,

    [JsonStringEnumMemberName("payment-declined")]
    PaymentDeclined,

    [JsonStringEnumMemberName("deadline-exceeded")]
    DeadlineExceeded,
}
