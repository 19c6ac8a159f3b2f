using System.Text.Json.Serialization.Metadata;
using DaprOrders.Sidecar;
using Microsoft.Extensions.Options;

namespace DaprOrders.Notification.Notifications;

/// <summary>
/// The service's documents in the state store. Keys (prefixed <c>notification||</c> by daprd's default keyPrefix):
/// <c>notification-{orderId}</c> = <see cref="NotificationRecord"/>, <c>notification-recent</c> = <see cref="RecentNotifications"/>.
/// Every write is conditional: with the ETag that was read, or first-write when the key did not exist.
/// </summary>
public sealed class NotificationStore(DaprSidecarClient sidecar, IOptions<NotificationOptions> options)
{
    public const string RecentKey = "notification-recent";

    public static string RecordKey(string orderId) => $"notification-{orderId}";

    private string StoreName => options.Value.StateStore;

    public Task<StateEntry<NotificationRecord>?> GetRecordAsync(string orderId, CancellationToken cancellationToken = default) =>
        sidecar.GetStateEntryAsync(StoreName, RecordKey(orderId), NotificationJsonContext.Default.NotificationRecord,
            cancellationToken: cancellationToken);

    /// <summary>Writes the record if nobody changed it since <paramref name="etag"/> was read (null: if it still does not exist).</summary>
    public Task<bool> TryWriteRecordAsync(NotificationRecord record, string? etag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return TryWriteAsync(RecordKey(record.OrderId), record, NotificationJsonContext.Default.NotificationRecord, etag, cancellationToken);
    }

    public Task<StateEntry<RecentNotifications>?> GetRecentAsync(CancellationToken cancellationToken = default) =>
        sidecar.GetStateEntryAsync(StoreName, RecentKey, NotificationJsonContext.Default.RecentNotifications,
            cancellationToken: cancellationToken);

    public async Task<IReadOnlyList<NotificationRecord>> GetRecordsAsync(IReadOnlyList<string> orderIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orderIds);
        if (orderIds.Count == 0)
        {
            return [];
        }

        var items = await sidecar.GetBulkStateAsync(StoreName, [.. orderIds.Select(RecordKey)], cancellationToken: cancellationToken);
        return [.. items.Select(i => i.GetValue(NotificationJsonContext.Default.NotificationRecord)).OfType<NotificationRecord>()];
    }

    private async Task<bool> TryWriteAsync<T>(string key, T value, JsonTypeInfo<T> typeInfo, string? etag, CancellationToken cancellationToken)
    {
        if (etag is not null)
        {
            return await sidecar.TrySaveStateAsync(StoreName, key, value, typeInfo, etag, cancellationToken: cancellationToken);
        }

        try
        {
            await sidecar.SaveStateAsync(StoreName, key, value, typeInfo,
                options: new StateOptions(ConcurrencyMode.FirstWrite), cancellationToken: cancellationToken);
            return true;
        }
        catch (DaprETagMismatchException)
        {
            // first-write without an ETag: someone created the key after we read it.
            return false;
        }
    }
}
