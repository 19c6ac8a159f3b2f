using System.Text.Json;
using Dapr.Client;
using DaprOrders.Notification.Notifications;

namespace DaprOrders.Notification.Channels;

/// <summary>
/// The default channel: a mailbox in the notification store (key <c>notification-mailbox-{orderId}</c>), written in
/// the transaction that records the notification Sent, plus one structured log line per order once it committed.
/// Stands in for e-mail/SMS in demos.
/// </summary>
public sealed partial class StoredNotificationChannel(ILogger<StoredNotificationChannel> logger) : IStoredNotificationChannel
{
    public string Name => NotificationOptions.StoredChannel;

    public static string MailboxKey(string orderId) => $"notification-mailbox-{orderId}";

    public StateTransactionRequest Delivery(OrderNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return new StateTransactionRequest(MailboxKey(notification.OrderId),
            JsonSerializer.SerializeToUtf8Bytes(notification, NotificationJsonContext.Default.OrderNotification), StateOperationType.Upsert);
    }

    public void Delivered(OrderNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        LogNotified(logger, notification.OrderId, notification.CustomerId, notification.Kind.ToString(), notification.Message);
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information,
        Message = "Notified customer {CustomerId} about order {OrderId} ({Kind}): {NotificationMessage}")]
    private static partial void LogNotified(ILogger logger, string orderId, string customerId, string kind, string notificationMessage);
}
