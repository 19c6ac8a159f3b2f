using Dapr.Client;
using DaprOrders.Audit.DeadLetters;
using DaprOrders.Audit.Timeline;
using DaprOrders.BuildingBlocks.State;
using Microsoft.Extensions.Options;

namespace DaprOrders.Audit;

/// <summary>
/// Audit's documents in the state store (keys are prefixed <c>audit||</c> by daprd's default keyPrefix):
/// <c>audit-timeline-{orderId}</c> <see cref="OrderTimeline"/>, <c>audit-recent</c> <see cref="RecentEvents"/>,
/// <c>audit-deadletter-{ceId}</c> <see cref="DeadLetterRecord"/> and <c>audit-deadletters</c> <see cref="DeadLetterIndex"/>.
/// Timelines are written by <see cref="TimelineWriter"/> in batches. Every write follows <see cref="ETaggedStateStore{T}"/>'s rule.
/// </summary>
public sealed class AuditStore(DaprClient dapr, IOptions<AuditOptions> options)
{
    public const string RecentKey = "audit-recent";
    public const string DeadLetterIndexKey = "audit-deadletters";

    public static string TimelineKey(string orderId) => $"audit-timeline-{orderId}";

    public static string DeadLetterKey(string eventId) => $"audit-deadletter-{eventId}";

    /// <summary>Order timelines, read and written in batches by <see cref="TimelineWriter"/>.</summary>
    public ETaggedStateStore<OrderTimeline> Timelines { get; } = new(dapr, options.Value.StateStore);

    public ETaggedStateStore<RecentEvents> Recent { get; } = new(dapr, options.Value.StateStore);

    public ETaggedStateStore<DeadLetterRecord> DeadLetterRecords { get; } = new(dapr, options.Value.StateStore);

    public ETaggedStateStore<DeadLetterIndex> DeadLetterIndexes { get; } = new(dapr, options.Value.StateStore);

    public Task<StateVersion<OrderTimeline>> GetTimelineAsync(string orderId, CancellationToken cancellationToken = default) =>
        Timelines.ReadAsync(TimelineKey(orderId), cancellationToken);

    public Task<StateVersion<RecentEvents>> GetRecentAsync(CancellationToken cancellationToken = default) =>
        Recent.ReadAsync(RecentKey, cancellationToken);

    public Task<StateVersion<DeadLetterRecord>> GetDeadLetterAsync(string eventId, CancellationToken cancellationToken = default) =>
        DeadLetterRecords.ReadAsync(DeadLetterKey(eventId), cancellationToken);

    public Task<StateVersion<DeadLetterIndex>> GetDeadLetterIndexAsync(CancellationToken cancellationToken = default) =>
        DeadLetterIndexes.ReadAsync(DeadLetterIndexKey, cancellationToken);

    public Task<IReadOnlyList<DeadLetterRecord>> GetDeadLettersAsync(IEnumerable<string> eventIds, CancellationToken cancellationToken = default) =>
        DeadLetterRecords.ReadValuesAsync(eventIds.Select(DeadLetterKey), cancellationToken);
}
