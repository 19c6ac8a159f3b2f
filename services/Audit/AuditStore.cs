using System.Text.Json.Serialization.Metadata;
using DaprOrders.Audit.DeadLetters;
using DaprOrders.Audit.Timeline;
using DaprOrders.Sidecar;
using Microsoft.Extensions.Options;

namespace DaprOrders.Audit;

/// <summary>
/// Audit's documents in the state store (keys are prefixed <c>audit||</c> by daprd's default keyPrefix):
/// <c>audit-timeline-{orderId}</c> <see cref="OrderTimeline"/>, <c>audit-recent</c> <see cref="RecentEvents"/>,
/// <c>audit-deadletter-{ceId}</c> <see cref="DeadLetterRecord"/> and <c>audit-deadletters</c> <see cref="DeadLetterIndex"/>.
/// Timelines are written by <see cref="TimelineWriter"/> in batches. Every write is conditional: with the ETag that was
/// read, or first-write when the key did not exist.
/// </summary>
public sealed class AuditStore(DaprSidecarClient sidecar, IOptions<AuditOptions> options)
{
    public const string RecentKey = "audit-recent";
    public const string DeadLetterIndexKey = "audit-deadletters";

    public static string TimelineKey(string orderId) => $"audit-timeline-{orderId}";

    public static string DeadLetterKey(string eventId) => $"audit-deadletter-{eventId}";

    private string StoreName => options.Value.StateStore;

    public Task<StateEntry<OrderTimeline>?> GetTimelineAsync(string orderId, CancellationToken cancellationToken = default) =>
        Get(TimelineKey(orderId), AuditJsonContext.Default.OrderTimeline, cancellationToken);

    public Task<StateEntry<RecentEvents>?> GetRecentAsync(CancellationToken cancellationToken = default) =>
        Get(RecentKey, AuditJsonContext.Default.RecentEvents, cancellationToken);

    public Task<StateEntry<DeadLetterRecord>?> GetDeadLetterAsync(string eventId, CancellationToken cancellationToken = default) =>
        Get(DeadLetterKey(eventId), AuditJsonContext.Default.DeadLetterRecord, cancellationToken);

    public Task<bool> TryWriteDeadLetterAsync(DeadLetterRecord record, string? etag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return TryWriteAsync(DeadLetterKey(record.Id), record, AuditJsonContext.Default.DeadLetterRecord, etag, cancellationToken);
    }

    public Task<StateEntry<DeadLetterIndex>?> GetDeadLetterIndexAsync(CancellationToken cancellationToken = default) =>
        Get(DeadLetterIndexKey, AuditJsonContext.Default.DeadLetterIndex, cancellationToken);

    public Task<bool> TryWriteDeadLetterIndexAsync(DeadLetterIndex index, string? etag, CancellationToken cancellationToken = default) =>
        TryWriteAsync(DeadLetterIndexKey, index, AuditJsonContext.Default.DeadLetterIndex, etag, cancellationToken);

    public async Task<IReadOnlyList<DeadLetterRecord>> GetDeadLettersAsync(IReadOnlyList<string> eventIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        if (eventIds.Count == 0)
        {
            return [];
        }

        var items = await sidecar.GetBulkStateAsync(StoreName, [.. eventIds.Select(DeadLetterKey)], cancellationToken: cancellationToken);
        return [.. items.Select(i => i.GetValue(AuditJsonContext.Default.DeadLetterRecord)).OfType<DeadLetterRecord>()];
    }

    /// <summary>The ETag to write back with; a store without ETags cannot give Audit its concurrency guarantees.</summary>
    public static string RequireETag<T>(StateEntry<T> entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return RequireETag(entry.Key, entry.ETag);
    }

    /// <inheritdoc cref="RequireETag{T}(StateEntry{T})"/>
    public static string RequireETag(BulkStateItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return RequireETag(item.Key, item.ETag);
    }

    private static string RequireETag(string key, string? etag) =>
        etag ?? throw new InvalidOperationException($"The state store returned '{key}' without an ETag; Audit needs a store with ETag support.");

    private Task<StateEntry<T>?> Get<T>(string key, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) =>
        sidecar.GetStateEntryAsync(StoreName, key, typeInfo, cancellationToken: cancellationToken);

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
