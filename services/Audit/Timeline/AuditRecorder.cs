using DaprOrders.Sidecar;
using DaprOrders.Sidecar.AppCallbacks;
using Microsoft.Extensions.Options;

namespace DaprOrders.Audit.Timeline;

/// <summary>
/// Appends entries to order timelines and hands them to the recent-events list. One ETag read-modify-write per order
/// (a bulk delivery with five events of one order costs one write), bounded retries on conflicts, dedupe on entry id
/// so a redelivered event changes nothing.
/// </summary>
public sealed partial class AuditRecorder(AuditStore store, RecentEventsWriter recent, IOptions<AuditOptions> options,
    TimeProvider timeProvider, ILogger<AuditRecorder> logger)
{
    /// <summary>Records delivered events; returns one status per event, in order.</summary>
    public Task<IReadOnlyList<TopicStatus>> RecordDeliveredAsync(IReadOnlyList<ObservedEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var now = timeProvider.GetUtcNow();
        return RecordAsync([.. events.Select(e => AuditEntry.Delivered(e, now))], cancellationToken);
    }

    /// <summary>Records entries; one status per entry, in order. SUCCESS also for duplicates.</summary>
    public async Task<IReadOnlyList<TopicStatus>> RecordAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var statuses = new TopicStatus[entries.Count];
        var stored = new List<AuditEntry>(entries.Count);

        foreach (var group in entries.Select((entry, index) => (entry, index)).GroupBy(x => x.entry.OrderId, StringComparer.Ordinal))
        {
            var groupEntries = group.Select(x => x.entry).ToList();
            IReadOnlyList<AuditEntry>? canonical = group.Key is null
                ? groupEntries
                : await AppendToTimelineAsync(group.Key, groupEntries, cancellationToken);
            foreach (var (_, index) in group)
            {
                statuses[index] = canonical is null ? TopicStatus.Retry : TopicStatus.Success;
            }

            if (canonical is not null)
            {
                stored.AddRange(canonical);
            }
        }

        foreach (var entry in stored)
        {
            recent.Enqueue(entry);
        }

        return statuses;
    }

    /// <summary>Returns the entries as stored (a duplicate keeps its first receivedAt), or null after repeated conflicts.</summary>
    private async Task<IReadOnlyList<AuditEntry>?> AppendToTimelineAsync(string orderId, List<AuditEntry> entries, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        for (var pass = 0; pass < settings.MaxConcurrencyAttempts; pass++)
        {
            var entry = await store.GetTimelineAsync(orderId, cancellationToken);
            var timeline = entry?.Value ?? OrderTimeline.Empty(orderId);
            var (updated, overflow) = timeline.Append(entries, settings.MaxTimelineEntries);
            if (overflow > 0)
            {
                LogTimelineFull(logger, orderId, overflow, settings.MaxTimelineEntries);
            }

            if (updated is null)
            {
                LogDuplicates(logger, orderId, entries.Count);
                return Canonical(timeline, entries);
            }

            if (await store.TryWriteTimelineAsync(updated, entry is null ? null : AuditStore.RequireETag(entry), cancellationToken))
            {
                return Canonical(updated, entries);
            }
        }

        LogContention(logger, orderId, settings.MaxConcurrencyAttempts);
        return null;
    }

    private static List<AuditEntry> Canonical(OrderTimeline timeline, List<AuditEntry> entries)
    {
        var byId = timeline.Events.ToDictionary(e => e.Id, StringComparer.Ordinal);
        return [.. entries.Select(e => byId.GetValueOrDefault(e.Id, e))];
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Timeline of order {OrderId} already has all {Count} delivered entries")]
    private static partial void LogDuplicates(ILogger logger, string orderId, int count);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Timeline of order {OrderId} is full ({MaxEntries} entries); {Overflow} entries not stored")]
    private static partial void LogTimelineFull(ILogger logger, string orderId, int overflow, int maxEntries);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Gave up writing {Key} after {Attempts} ETag conflicts; asking for redelivery")]
    private static partial void LogContention(ILogger logger, string key, int attempts);
}
