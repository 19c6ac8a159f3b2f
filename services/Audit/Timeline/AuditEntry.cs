using System.Text.Json;

namespace DaprOrders.Audit.Timeline;

/// <summary>Kinds of timeline entries.</summary>
public static class AuditEntryKinds
{
    /// <summary>An event delivered on its topic.</summary>
    public const string Event = "event";

    /// <summary>An event that reached the dead-letter topic (some subscriber gave up on it).</summary>
    public const string DeadLettered = "dead-lettered";
}

/// <summary>
/// One entry of an order's timeline. <see cref="Id"/> is the dedupe key: the CloudEvent id for delivered events,
/// <c>deadletter:{ceId}:{attempt}</c> for dead-letter arrivals, so those never hide (or are hidden by) the event itself.
/// </summary>
/// <param name="EventId">The CloudEvent id.</param>
/// <param name="Time">The CloudEvent <c>time</c> (set by the publisher's sidecar).</param>
/// <param name="ReceivedAt">When Audit stored it; the timeline's order.</param>
/// <param name="TraceParent">W3C traceparent carried by the event (<c>traceparent</c>, or <c>traceid</c> for outbox events).</param>
/// <param name="Data">The event's <c>data</c>, verbatim.</param>
public sealed record AuditEntry(
    string Id,
    string Kind,
    string EventId,
    string? OrderId,
    string? Type,
    string? Source,
    string? Topic,
    DateTimeOffset? Time,
    DateTimeOffset ReceivedAt,
    string? TraceParent,
    string? TraceId,
    JsonElement? Data)
{
    public static AuditEntry Delivered(ObservedEvent observed, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(observed);
        return new AuditEntry(observed.Id, AuditEntryKinds.Event, observed.Id, observed.OrderId, observed.Type, observed.Source,
            observed.Topic, observed.Time, receivedAt, observed.TraceParent, ObservedEvent.TraceIdOf(observed.TraceParent), observed.Data);
    }

    /// <summary>A dead-letter arrival; <paramref name="attempt"/> is the arrival count of that CloudEvent id.</summary>
    public static AuditEntry DeadLettered(ObservedEvent observed, int attempt, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(observed);
        return new AuditEntry(DeadLetterEntryId(observed.Id, attempt), AuditEntryKinds.DeadLettered, observed.Id, observed.OrderId,
            observed.Type, observed.Source, observed.Topic, observed.Time, receivedAt, observed.TraceParent,
            ObservedEvent.TraceIdOf(observed.TraceParent), observed.Data);
    }

    public static string DeadLetterEntryId(string eventId, int attempt) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"deadletter:{eventId}:{attempt}");
}

/// <summary>An order's append-only timeline (state key <c>audit-timeline-{orderId}</c>), ordered by <see cref="AuditEntry.ReceivedAt"/>.</summary>
public sealed record OrderTimeline(string OrderId, IReadOnlyList<AuditEntry> Events)
{
    public static OrderTimeline Empty(string orderId) => new(orderId, []);

    /// <summary>
    /// Appends the entries whose id is not on the timeline yet (nor earlier in <paramref name="entries"/>).
    /// Returns null when nothing is new, so a duplicate delivery costs no write. Entries beyond
    /// <paramref name="maxEntries"/> are not appended and counted in <c>Overflow</c>.
    /// </summary>
    public (OrderTimeline? Updated, int Overflow) Append(IEnumerable<AuditEntry> entries, int maxEntries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var known = new HashSet<string>(Events.Select(e => e.Id), StringComparer.Ordinal);
        var added = new List<AuditEntry>();
        var overflow = 0;
        foreach (var entry in entries)
        {
            if (!known.Add(entry.Id))
            {
                continue;
            }

            if (Events.Count + added.Count >= maxEntries)
            {
                overflow++;
                continue;
            }

            added.Add(entry);
        }

        if (added.Count == 0)
        {
            return (null, overflow);
        }

        // Stable sort: entries received in the same instant keep their delivery order.
        var events = Events.Concat(added).OrderBy(e => e.ReceivedAt).ToList();
        return (this with { Events = events }, overflow);
    }
}

/// <summary>The latest events across all orders (state key <c>audit-recent</c>), newest first, bounded.</summary>
public sealed record RecentEvents(IReadOnlyList<AuditEntry> Events)
{
    public static RecentEvents Empty { get; } = new([]);

    /// <summary>Puts new entries in front (newest first) and trims to <paramref name="limit"/>; null when nothing is new.</summary>
    public RecentEvents? Add(IEnumerable<AuditEntry> entries, int limit)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var known = new HashSet<string>(Events.Select(e => e.Id), StringComparer.Ordinal);
        var added = entries.Where(e => known.Add(e.Id)).ToList();
        if (added.Count == 0)
        {
            return null;
        }

        var events = added.Concat(Events).OrderByDescending(e => e.ReceivedAt).Take(limit).ToList();
        return new RecentEvents(events);
    }
}
