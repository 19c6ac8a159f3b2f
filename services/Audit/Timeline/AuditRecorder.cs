using DaprOrders.Sidecar.AppCallbacks;

namespace DaprOrders.Audit.Timeline;

/// <summary>
/// Appends entries to order timelines (through the group-committing <see cref="TimelineWriter"/>) and hands them to
/// the recent-events list. Dedupe on entry id, so a redelivered event changes nothing.
/// </summary>
public sealed class AuditRecorder(TimelineWriter timelines, RecentEventsWriter recent, TimeProvider timeProvider)
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
        var groups = entries.Select((entry, index) => (entry, index))
            .GroupBy(x => x.entry.OrderId, StringComparer.Ordinal)
            .Select(group => (Indexes: group.Select(x => x.index).ToList(),
                // Entries without an order id have no timeline; they only go to the recent list.
                Stored: group.Key is null
                    ? Task.FromResult<IReadOnlyList<AuditEntry>?>(group.Select(x => x.entry).ToList())
                    : timelines.AppendAsync(group.Key, [.. group.Select(x => x.entry)], cancellationToken)))
            .ToList();
        await Task.WhenAll(groups.Select(g => g.Stored));

        var statuses = new TopicStatus[entries.Count];
        foreach (var (indexes, stored) in groups)
        {
            var canonical = await stored;
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
}
