using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization.Metadata;
using DaprOrders.Contracts;

namespace DaprOrders.Testing;

/// <summary>
/// One row of the event catalog: a CloudEvent type, where it flows, who publishes and who consumes it, its C# data
/// record and the JSON Schema of its <c>data</c>.
/// </summary>
/// <param name="Type">CloudEvent <c>type</c>, e.g. <c>daprorders.order.created.v1</c>.</param>
/// <param name="Topic">Topic on <see cref="PubSub.Name"/> (<see cref="Topics.Of"/>); <see langword="null"/> for the HTTP intake event.</param>
/// <param name="Publisher">App-id of the only publisher (<see cref="AppIds.Clients"/> for the intake).</param>
/// <param name="Subscribers">App-ids that subscribe to this type.</param>
/// <param name="DataType">The record the CloudEvent <c>data</c> deserializes into.</param>
/// <param name="SchemaName">File name under <c>schemas/</c>, readable through <see cref="ContractSchemas"/>.</param>
public sealed record EventContract(
    string Type,
    string? Topic,
    string Publisher,
    IReadOnlyList<string> Subscribers,
    Type DataType,
    string SchemaName)
{
    /// <summary>Source-generated metadata for <see cref="DataType"/>, for reflection-free (de)serialization.</summary>
    public JsonTypeInfo DataTypeInfo => ContractsJsonContext.Default.GetTypeInfo(DataType)
        ?? throw new InvalidOperationException($"{DataType} is missing from {nameof(ContractsJsonContext)}.");
}

/// <summary>
/// The saga's event table as data, for tests to check the contracts against: the schemas, the AsyncAPI document, the
/// component scopes and what each service declares. No service reads it; each declares its own subscriptions.
/// </summary>
public static class EventCatalog
{
    private static readonly string[] SagaDriver = [AppIds.Ordering, AppIds.Audit];

    public static IReadOnlyList<EventContract> All { get; } =
    [
        new(EventTypes.OrderSubmitted, null, AppIds.Clients, [AppIds.Ordering],
            typeof(OrderSubmission), "order-submitted.v1.json"),
        new(EventTypes.OrderCreated, Topics.Of(EventTypes.OrderCreated), AppIds.Ordering, [AppIds.Inventory, AppIds.Audit],
            typeof(OrderCreated), "order-created.v1.json"),
        new(EventTypes.PaymentRequested, Topics.Of(EventTypes.PaymentRequested), AppIds.Ordering, [AppIds.Payment, AppIds.Audit],
            typeof(PaymentRequested), "payment-requested.v1.json"),
        new(EventTypes.OrderCompleted, Topics.Of(EventTypes.OrderCompleted), AppIds.Ordering, [AppIds.Notification, AppIds.Audit, AppIds.Loyalty],
            typeof(OrderCompleted), "order-completed.v1.json"),
        new(EventTypes.OrderCancelled, Topics.Of(EventTypes.OrderCancelled), AppIds.Ordering,
            [AppIds.Inventory, AppIds.Payment, AppIds.Notification, AppIds.Audit],
            typeof(OrderCancelled), "order-cancelled.v1.json"),
        new(EventTypes.StockReserved, Topics.Of(EventTypes.StockReserved), AppIds.Inventory, SagaDriver,
            typeof(StockReserved), "stock-reserved.v1.json"),
        new(EventTypes.StockRejected, Topics.Of(EventTypes.StockRejected), AppIds.Inventory, SagaDriver,
            typeof(StockRejected), "stock-rejected.v1.json"),
        new(EventTypes.StockReleased, Topics.Of(EventTypes.StockReleased), AppIds.Inventory, [AppIds.Audit],
            typeof(StockReleased), "stock-released.v1.json"),
        new(EventTypes.PaymentSucceeded, Topics.Of(EventTypes.PaymentSucceeded), AppIds.Payment, SagaDriver,
            typeof(PaymentSucceeded), "payment-succeeded.v1.json"),
        new(EventTypes.PaymentFailed, Topics.Of(EventTypes.PaymentFailed), AppIds.Payment, SagaDriver,
            typeof(PaymentFailed), "payment-failed.v1.json"),
        new(EventTypes.PaymentRefunded, Topics.Of(EventTypes.PaymentRefunded), AppIds.Payment, [AppIds.Audit],
            typeof(PaymentRefunded), "payment-refunded.v1.json"),
        new(EventTypes.NotificationSent, Topics.Of(EventTypes.NotificationSent), AppIds.Notification, [AppIds.Audit],
            typeof(NotificationSent), "notification-sent.v1.json"),
    ];

    private static readonly FrozenDictionary<string, EventContract> ByType =
        All.ToFrozenDictionary(e => e.Type, StringComparer.Ordinal);

    /// <summary>Events that travel over pub/sub (everything except the HTTP intake).</summary>
    public static IReadOnlyList<EventContract> Published { get; } = [.. All.Where(e => e.Topic is not null)];

    public static bool TryGet(string type, [NotNullWhen(true)] out EventContract? contract) =>
        ByType.TryGetValue(type, out contract);

    public static EventContract Get(string type) =>
        ByType.TryGetValue(type, out var contract)
            ? contract
            : throw new KeyNotFoundException($"Unknown CloudEvent type '{type}'.");

    public static IEnumerable<EventContract> OnTopic(string topic) => Published.Where(e => e.Topic == topic);

    /// <summary>Event types an app consumes: its subscription routes and CEL rules can be derived from this.</summary>
    public static IEnumerable<EventContract> SubscribedBy(string appId) =>
        Published.Where(e => e.Subscribers.Contains(appId));

    /// <summary>Topics an app publishes to: those of the types it publishes.</summary>
    public static IEnumerable<string> TopicsPublishedBy(string appId) =>
        Published.Where(e => e.Publisher == appId).Select(e => e.Topic!);

    /// <summary>Topics an app subscribes to; every subscription declares <see cref="Topics.DeadLetters"/> as its dead-letter topic.</summary>
    public static IEnumerable<string> TopicsSubscribedBy(string appId) =>
        SubscribedBy(appId).Select(e => e.Topic!).Distinct(StringComparer.Ordinal);
}
