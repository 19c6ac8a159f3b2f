using Dapr.Client;
using DaprOrders.Notification.Notifications;

namespace DaprOrders.Notification.Channels;

/// <summary>
/// Delivers a notification to the customer. What a channel is decides how <see cref="OrderNotifier"/> makes it happen
/// exactly once (README, "Exactly one notification per order"): a <see cref="IStoredNotificationChannel"/> is a state
/// write committed together with the record; an <see cref="IExternalNotificationChannel"/> is called under a claim.
/// </summary>
public interface INotificationChannel
{
    /// <summary>Name recorded on the notification and in <c>notification.sent</c> (e.g. <c>stored</c>, <c>webhook</c>).</summary>
    string Name { get; }
}

/// <summary>
/// A channel whose delivery is a document in Notification's own state store (a mailbox). The notifier commits it in
/// the same state transaction that records the notification Sent, so the customer gets it exactly when the record
/// turns Sent: once per order, with no claim and no window between sending and recording.
/// </summary>
public interface IStoredNotificationChannel : INotificationChannel
{
    /// <summary>The upsert that delivers <paramref name="notification"/>, for a transaction on the notification store.</summary>
    StateTransactionRequest Delivery(OrderNotification notification);

    /// <summary>Called after the transaction with <see cref="Delivery"/> committed.</summary>
    void Delivered(OrderNotification notification);
}

/// <summary>
/// A channel outside Dapr's state (an HTTP binding, e-mail, SMS): no transaction can include it, so the notifier
/// claims the record before the call and marks it Sent after. A crash between the channel accepting and Sent being
/// written repeats the call once the claim expires: implementations pass <see cref="OrderNotification.OrderId"/> on
/// as an idempotency key where the receiver supports one.
/// </summary>
public interface IExternalNotificationChannel : INotificationChannel
{
    /// <summary>Throws when the message was not accepted; the delivery is then retried.</summary>
    Task SendAsync(OrderNotification notification, CancellationToken cancellationToken = default);
}
