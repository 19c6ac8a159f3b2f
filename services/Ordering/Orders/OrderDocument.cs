using System.Text.Json.Serialization;
using DaprOrders.Contracts;

namespace DaprOrders.Ordering.Orders;

/// <summary>Where an order is in its life. Terminal are exactly <see cref="Completed"/> and <see cref="Cancelled"/>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OrderStatus>))]
public enum OrderStatus
{
    /// <summary>Accepted and stored, its deadline armed; stock is being reserved.</summary>
    Submitted,
    AwaitingPayment,
    Completed,
    Cancelled,
}

public static class OrderStatusExtensions
{
    public static bool IsTerminal(this OrderStatus status) => status is OrderStatus.Completed or OrderStatus.Cancelled;
}

/// <summary>One status change of an order, as shown in its history.</summary>
public sealed record OrderHistoryEntry(
    OrderStatus Status,
    DateTimeOffset At,
    CancellationReason? Reason = null,
    string? Detail = null);

/// <summary>
/// The CloudEvent an order was submitted as. Source+id is the idempotency key (the order id is derived from it);
/// the payload hash tells a harmless repeat from a different order reusing the same key.
/// </summary>
public sealed record OrderSubmissionKey(string Source, string EventId, string PayloadHash);

/// <summary>
/// The order as stored in <c>orderstore</c> under <c>order-{orderId}</c>. Created once by the intake (state transaction
/// with the outbox), then changed only by the saga's turns (<c>OrderSagaTurns</c>) with plain ETag-guarded saves.
/// <see cref="Reannounced"/>: a repeat of the input that led to <see cref="Status"/> has announced it again
/// (<c>OrderSaga</c>), so further repeats announce nothing; a new status clears it.
/// </summary>
public sealed record OrderDocument(
    string OrderId,
    string CustomerId,
    string Currency,
    IReadOnlyList<OrderLine> Lines,
    Money Total,
    OrderStatus Status,
    CancellationReason? CancellationReason,
    IReadOnlyList<OrderHistoryEntry> History,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    OrderSubmissionKey Submission,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Reannounced = false)
{
    /// <summary>
    /// The document after moving to <paramref name="status"/>. A terminal order never changes again and a repeated
    /// status is not recorded twice, so applying the same change twice is harmless.
    /// </summary>
    public OrderDocument WithStatus(OrderStatus status, DateTimeOffset at, CancellationReason? reason = null, string? detail = null)
    {
        if (Status == status || Status.IsTerminal())
        {
            return this;
        }

        return this with
        {
            Status = status,
            CancellationReason = status == OrderStatus.Cancelled ? reason : null,
            History = [.. History, new OrderHistoryEntry(status, at, reason, detail)],
            UpdatedAt = at,
            Reannounced = false,
        };
    }

    public OrderCreated ToCreatedEvent() => new(OrderId, CustomerId, Currency, Lines, Total, CreatedAt);
}

/// <summary>Body of <c>GET /orders/{orderId}</c>.</summary>
public sealed record OrderView(
    string OrderId,
    string CustomerId,
    string Currency,
    IReadOnlyList<OrderLine> Lines,
    Money Total,
    OrderStatus Status,
    CancellationReason? CancellationReason,
    IReadOnlyList<OrderHistoryEntry> History,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static OrderView From(OrderDocument order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return new(order.OrderId, order.CustomerId, order.Currency, order.Lines, order.Total, order.Status,
            order.CancellationReason, order.History, order.CreatedAt, order.UpdatedAt);
    }
}
