using System.Text.Json;
using System.Text.Json.Serialization;
using DaprOrders.Audit.DeadLetters;
using DaprOrders.Audit.Timeline;

namespace DaprOrders.Audit.Operations;

/// <summary>
/// Everything the operations page shows at one moment. Ordering's and Inventory's answers are passed through as JSON
/// (no service references another's types); a source that did not answer is null and named in <see cref="Problems"/>,
/// so the page still shows the rest.
/// </summary>
/// <param name="OrderStats">Ordering's <c>GET /orders/stats</c>: <c>{ counts: { status: n }, total }</c>.</param>
/// <param name="LatestOrders">Ordering's <c>GET /orders?limit=</c>: <c>{ orders: [...], count }</c>, newest first.</param>
/// <param name="Stock">Inventory's <c>GET /stock</c>: <c>[{ sku, available, reserved, committed }]</c>.</param>
/// <param name="DeadLetters">Audit's dead letters, most recently arrived first.</param>
public sealed record OperationsSnapshot(
    DateTimeOffset At,
    JsonElement? OrderStats,
    JsonElement? LatestOrders,
    JsonElement? Stock,
    IReadOnlyList<DeadLetterSummary>? DeadLetters,
    IReadOnlyList<SourceProblem> Problems,
    bool TraceLinks);

/// <summary>A source that could not be read for a snapshot.</summary>
public sealed record SourceProblem(string Source, string Detail);

/// <summary>One timeline entry as the page shows it; <see cref="TraceUrl"/> is set when a Jaeger URL is configured.</summary>
public sealed record TimelineEventView(
    string Id,
    string Kind,
    string EventId,
    string? Type,
    string? Source,
    string? Topic,
    DateTimeOffset? Time,
    DateTimeOffset ReceivedAt,
    string? TraceId,
    Uri? TraceUrl,
    JsonElement? Data)
{
    public static TimelineEventView From(AuditEntry entry, OperationsPageOptions options)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(options);
        return new(entry.Id, entry.Kind, entry.EventId, entry.Type, entry.Source, entry.Topic, entry.Time, entry.ReceivedAt,
            entry.TraceId, options.TraceLink(entry.TraceId), entry.Data);
    }
}

/// <summary>An order as the page's timeline panel shows it: Ordering's document (if it answered) and Audit's timeline.</summary>
public sealed record OrderDetailView(string OrderId, JsonElement? Order, IReadOnlyList<TimelineEventView> Events, IReadOnlyList<SourceProblem> Problems);
