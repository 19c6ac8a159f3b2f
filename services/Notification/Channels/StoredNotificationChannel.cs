using Dapr.Client;
using DaprOrders.Notification.Notifications;
using Microsoft.Extensions.Options;

namespace DaprOrders.Notification.Channels;

/// <summary>
/// The default channel: a mailbox in the state store (key <c>notification-mailbox-{orderId}</c>, last-write, so a
/// repeat overwrites the same message) plus one structured log line per order. Stands in for e-mail/SMS in demos.
/// </summary>
public sealed partial class StoredNotificationChannel(
    DaprClient dapr,
    IOptions<NotificationOptions> options,
    ILogger<StoredNotificationChannel> logger) : INotificationChannel
{
    public string Name => NotificationOptions.StoredChannel;

    public static string MailboxKey(string orderId) => $"notification-mailbox-{orderId}";

    public async Task SendAsync(OrderNotification notification, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        await dapr.SaveStateAsync(options.Value.StateStore, MailboxKey(notification.OrderId), notification, cancellationToken: cancellationToken);
        LogNotified(logger, notification.OrderId, notification.CustomerId, notification.Kind.ToString(), notification.Message);
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information,
        Message = "Notified customer {CustomerId} about order {OrderId} ({Kind}): {NotificationMessage}")]
    private static partial void LogNotified(ILogger logger, string orderId, string customerId, string kind, string notificationMessage);
}
