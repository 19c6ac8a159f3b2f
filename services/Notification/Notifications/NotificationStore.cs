using Dapr.Client;
using DaprOrders.BuildingBlocks.State;
using Microsoft.Extensions.Options;

namespace DaprOrders.Notification.Notifications;

/// <summary>
/// The service's documents in the state store. Keys (prefixed <c>notification||</c> by daprd's default keyPrefix):
/// <c>notification-{orderId}</c> = <see cref="NotificationRecord"/>, <c>notification-recent</c> = <see cref="RecentNotifications"/>.
/// Every write follows <see cref="ETaggedStateStore{T}"/>'s rule.
/// </summary>
public sealed class NotificationStore(DaprClient dapr, IOptions<NotificationOptions> options)
{
    public const string RecentKey = "notification-recent";

    public static string RecordKey(string orderId) => $"notification-{orderId}";

    /// <summary>The per-order records, changed through <see cref="ETaggedStateStore{T}.ChangeAsync"/> by <see cref="OrderNotifier"/>.</summary>
    public ETaggedStateStore<NotificationRecord> Records { get; } = new(dapr, options.Value.StateStore);

    public ETaggedStateStore<RecentNotifications> Recent { get; } = new(dapr, options.Value.StateStore);

    public Task<StateVersion<NotificationRecord>> GetRecordAsync(string orderId, CancellationToken cancellationToken = default) =>
        Records.ReadAsync(RecordKey(orderId), cancellationToken);

    public Task<StateVersion<RecentNotifications>> GetRecentAsync(CancellationToken cancellationToken = default) =>
        Recent.ReadAsync(RecentKey, cancellationToken);

    public Task<IReadOnlyList<NotificationRecord>> GetRecordsAsync(IEnumerable<string> orderIds, CancellationToken cancellationToken = default) =>
        Records.ReadValuesAsync(orderIds.Select(RecordKey), cancellationToken);
}
