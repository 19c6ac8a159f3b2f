using DaprOrders.BuildingBlocks.Messaging;

namespace DaprOrders.Audit.Timeline;

/// <summary>
/// Appends entries to order timelines (through the group-committing <see cref="TimelineWriter"/>) and hands them to
/// the recent-events list. Dedupe on entry id, so a redelivered event changes nothing.
/// </summary>
public sealed partial class AuditRecorder(TimelineWriter timelines, RecentEventsWriter recent, TimeProvider timeProvider, ILogger<AuditRecorder> logger)
{
    /// <summary>Records delivered events; returns one status per event, in order.</summary>
    public Task<IReadOnlyList<TopicStatus>> RecordDeliveredAsync(IReadOnlyList<ObservedEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var now = timeProvider.GetUtcNow();
        return RecordAsync([.. events.Select(e => AuditEntry.Delivered(e, now))], cancellationToken);
    }

    /// <summary>
    /// Records entries; one status per entry, in order. SUCCESS also for duplicates. RETRY for the entries of an order
    /// whose timeline could not be written (ETag contention, a failing sidecar or store), so that in a bulk delivery
    /// daprd retries those entries only and acknowledges the rest.
    /// </summary>
    public async Task<IReadOnlyList<TopicStatus>> RecordAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        // One append per order, all queued before any is awaited, so they can share the writer's next batch.
        var appends = new List<(List<int> Indexes, Task<IReadOnlyList<AuditEntry>?> Stored)>();
        foreach (var group in entries.Select((entry, index) => (entry, index)).GroupBy(x => x.entry.OrderId, StringComparer.Ordinal))
        {
            List<AuditEntry> orderEntries = [.. group.Select(x => x.entry)];
            var stored = group.Key is null
                // Entries without an order id have no timeline; they only go to the recent list.
                ? Task.FromResult<IReadOnlyList<AuditEntry>?>(orderEntries)
                : timelines.AppendAsync(group.Key, orderEntries, cancellationToken);
            appends.Add(([.. group.Select(x => x.index)], stored));
        }

        var statuses = new TopicStatus[entries.Count];
        foreach (var (indexes, stored) in appends)
        {
            IReadOnlyList<AuditEntry>? canonical;
            try
            {
                canonical = await stored;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogAppendFailed(logger, ex, indexes.Count);
                canonical = null;
            }

            foreach (var index in indexes)
            {
                statuses[index] = canonical is null ? TopicStatus.Retry : TopicStatus.Success;
            }

            foreach (var entry in canonical ?? [])
            {
                recent.Enqueue(entry);
            }
        }

        return statuses;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Writing a timeline failed; {Count} delivered entries answer RETRY")]
    private static partial void LogAppendFailed(ILogger logger, Exception exception, int count);
}
