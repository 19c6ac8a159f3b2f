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

    private readonly ETaggedStateStore<NotificationRecord> _records = new(dapr, options.Value.StateStore);
    private readonly ETaggedStateStore<RecentNotifications> _recent = new(dapr, options.Value.StateStore);

    public static string RecordKey(string orderId) => $"notification-{orderId}";

    public Task<StateVersion<NotificationRecord>> GetRecordAsync(string orderId, CancellationToken cancellationToken = default) =>
        _records.ReadAsync(RecordKey(orderId), cancellationToken);

    /// <summary>Writes <paramref name="record"/> over <paramref name="read"/>; false when someone wrote in between.</summary>
    public Task<bool> TryWriteRecordAsync(StateVersion<NotificationRecord> read, NotificationRecord record, CancellationToken cancellationToken = default) =>
        _records.TryWriteAsync(read, record, cancellationToken);

    public Task<StateVersion<RecentNotifications>> GetRecentAsync(CancellationToken cancellationToken = default) =>
        _recent.ReadAsync(RecentKey, cancellationToken);

    public async Task<IReadOnlyList<NotificationRecord>> GetRecordsAsync(IReadOnlyList<string> orderIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orderIds);
        var versions = await _records.ReadManyAsync([.. orderIds.Select(RecordKey)], cancellationToken);
        return [.. versions.Select(v => v.Value).OfType<NotificationRecord>()];
    }
}
