using System.Collections.Frozen;

namespace DaprOrders.Contracts;

/// <summary>Dapr app-ids of the DaprOrders services (also the CloudEvent <c>source</c> Dapr stamps on their events).</summary>
public static class AppIds
{
    public const string Ordering = "ordering";
    public const string Inventory = "inventory";
    public const string Payment = "payment";
    public const string Notification = "notification";
    public const string Audit = "audit";

    /// <summary>The JavaScript loyalty service (services/loyalty), written from the JSON Schemas and AsyncAPI alone.</summary>
    public const string Loyalty = "loyalty";

    /// <summary>Pseudo-publisher of <see cref="EventTypes.OrderSubmitted"/>: external clients calling <c>POST /orders</c>.</summary>
    public const string Clients = "clients";
}

/// <summary>The one pub/sub component every service publishes to and subscribes from.</summary>
public static class PubSub
{
    public const string Name = "pubsub";
}

/// <summary>
/// Topic names on <see cref="PubSub.Name"/>: one topic per CloudEvent type, named after the event (as
/// dotnet-architecture/eShopOnDapr names each integration event's topic), so daprd delivers each app only the types it
/// subscribes to. Publishers take the topic from <see cref="Of"/>, never pick one.
/// </summary>
public static class Topics
{
    public const string OrderCreated = "order-created";
    public const string PaymentRequested = "payment-requested";
    public const string OrderCompleted = "order-completed";
    public const string OrderCancelled = "order-cancelled";
    public const string StockReserved = "stock-reserved";
    public const string StockRejected = "stock-rejected";
    public const string StockReleased = "stock-released";
    public const string PaymentSucceeded = "payment-succeeded";
    public const string PaymentFailed = "payment-failed";
    public const string PaymentRefunded = "payment-refunded";
    public const string NotificationSent = "notification-sent";

    /// <summary>The single dead-letter topic every subscription declares; only audit consumes it.</summary>
    public const string DeadLetters = "deadletters";

    private static readonly FrozenDictionary<string, string> ByEventType = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [EventTypes.OrderCreated] = OrderCreated,
        [EventTypes.PaymentRequested] = PaymentRequested,
        [EventTypes.OrderCompleted] = OrderCompleted,
        [EventTypes.OrderCancelled] = OrderCancelled,
        [EventTypes.StockReserved] = StockReserved,
        [EventTypes.StockRejected] = StockRejected,
        [EventTypes.StockReleased] = StockReleased,
        [EventTypes.PaymentSucceeded] = PaymentSucceeded,
        [EventTypes.PaymentFailed] = PaymentFailed,
        [EventTypes.PaymentRefunded] = PaymentRefunded,
        [EventTypes.NotificationSent] = NotificationSent,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The topics that carry events, one per published CloudEvent type.</summary>
    public static IReadOnlyList<string> Business { get; } = [.. ByEventType.Values.Order(StringComparer.Ordinal)];

    public static IReadOnlyList<string> All { get; } = [.. Business, DeadLetters];

    /// <summary>The topic of a published CloudEvent type (the HTTP intake's order.submitted has none).</summary>
    public static string Of(string eventType) =>
        ByEventType.TryGetValue(eventType, out var topic)
            ? topic
            : throw new KeyNotFoundException($"CloudEvent type '{eventType}' is not published on a topic.");
}

/// <summary>
/// CloudEvent <c>type</c> values, <c>daprorders.&lt;entity&gt;.&lt;event&gt;.v&lt;n&gt;</c>.
/// A breaking change to a payload gets a new version suffix and a new schema file; the old type keeps flowing until
/// every consumer has moved.
/// </summary>
public static class EventTypes
{
    public const string OrderSubmitted = "daprorders.order.submitted.v1";
    public const string OrderCreated = "daprorders.order.created.v1";
    public const string PaymentRequested = "daprorders.payment.requested.v1";
    public const string OrderCompleted = "daprorders.order.completed.v1";
    public const string OrderCancelled = "daprorders.order.cancelled.v1";
    public const string StockReserved = "daprorders.stock.reserved.v1";
    public const string StockRejected = "daprorders.stock.rejected.v1";
    public const string StockReleased = "daprorders.stock.released.v1";
    public const string PaymentSucceeded = "daprorders.payment.succeeded.v1";
    public const string PaymentFailed = "daprorders.payment.failed.v1";
    public const string PaymentRefunded = "daprorders.payment.refunded.v1";
    public const string NotificationSent = "daprorders.notification.sent.v1";
}
