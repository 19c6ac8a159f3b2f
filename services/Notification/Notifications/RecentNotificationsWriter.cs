using DaprOrders.Sidecar;
using Microsoft.Extensions.Options;

namespace DaprOrders.Notification.Notifications;

/// <summary>
/// The recent-notifications list (<c>notification-recent</c>). Every sent notification lands in it; written per
/// notification it was one hot key fought over by every delivery, so it is written in the background in batches
/// (the per-order records are the record, this list is a view).
/// </summary>
public sealed class RecentNotificationsWriter(DaprSidecarClient sidecar, IOptions<NotificationOptions> options,
    ILogger<RecentNotificationsWriter> logger)
    : SharedStateDocumentWriter<string, RecentNotifications>(sidecar, NotificationJsonContext.Default.RecentNotifications,
        new SharedStateDocumentSettings(SharedStateDocumentSettings.Default.QueueLimit, options.Value.RecentFlushInterval), logger)
{
    protected override string StoreName => options.Value.StateStore;

    protected override string Key => NotificationStore.RecentKey;

    protected override RecentNotifications Apply(RecentNotifications? current, IReadOnlyList<string> batch)
    {
        var recent = current ?? RecentNotifications.Empty;
        foreach (var orderId in batch)
        {
            recent = recent.With(orderId, options.Value.RecentLimit) ?? recent;
        }

        return recent;
    }
}
