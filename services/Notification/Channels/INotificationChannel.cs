using DaprOrders.Notification.Notifications;

namespace DaprOrders.Notification.Channels;

/// <summary>
/// Delivers a notification to the customer. Called at most once per order in the normal case, but a crash between the
/// channel accepting and the record turning Sent repeats the call: implementations should pass
/// <see cref="OrderNotification.OrderId"/> on as an idempotency key where the receiver supports one.
/// </summary>
public interface INotificationChannel
{
    /// <summary>Name recorded on the notification and in <c>notification.sent</c> (e.g. <c>stored</c>, <c>webhook</c>).</summary>
    string Name { get; }

    /// <summary>Throws when the message was not accepted; the delivery is then retried.</summary>
    Task SendAsync(OrderNotification notification, CancellationToken cancellationToken = default);
}
