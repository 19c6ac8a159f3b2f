using Dapr.Client;
using DaprOrders.BuildingBlocks.State;
using Microsoft.Extensions.Options;

namespace DaprOrders.Notification.Notifications;

/// <summary>
/// The recent-notifications list (<c>notification-recent</c>). Every sent notification lands in it; written per
/// notification it was one hot key fought over by every delivery, so it is written in the background in batches
/// (the per-order records are the record, this list is a view).
/// </summary>
public sealed class RecentNotificationsWriter(DaprClient dapr, IOptions<NotificationOptions> options,
    ILogger<RecentNotificationsWriter> logger)
    : SharedStateDocumentWriter<string, RecentNotifications>(dapr, options.Value.StateStore,
        new SharedStateDocumentSettings(SharedStateDocumentSettings.Default.QueueLimit, options.Value.RecentFlushInterval), logger)
{
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
