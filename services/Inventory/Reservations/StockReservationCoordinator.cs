using DaprOrders.BuildingBlocks.Messaging;
using DaprOrders.BuildingBlocks.State;
using DaprOrders.Contracts;
using DaprOrders.Inventory.Stock;
using Microsoft.Extensions.Options;

namespace DaprOrders.Inventory.Reservations;

/// <summary>
/// Order-level, all-or-nothing reservation across Stock actors. A reservation is final unless the order is cancelled,
/// so Inventory does not act on <c>order.completed</c>. Every step is safe to repeat: the Stock actors answer a repeated
/// call for an order with their first answer (within the hold retention), and the reservation record (written under
/// the <see cref="ETaggedStateStore{T}"/> rule: first-write, then ETag) is claimed before any actor is asked, so a
/// cancellation that came first (its tombstone) stops the order before it touches stock, and a cancellation that comes
/// later finds the lines to give back. A crash at any point converges on redelivery to the same outcome.
/// </summary>
public sealed partial class StockReservationCoordinator(
    StockActors stock,
    ETaggedStateStore<StockReservationRecord> records,
    EventPublisher events,
    TimeProvider timeProvider,
    IOptions<InventoryOptions> options,
    ILogger<StockReservationCoordinator> logger)
{
    /// <summary>ETag conflicts tolerated per delivery before asking daprd to redeliver later.</summary>
    private const int MaxConflicts = 5;

    public async Task<TopicStatus> OnOrderCreatedAsync(OrderCreated order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        ReservationPlan plan;
        try
        {
            plan = ReservationPlan.For(order.OrderId, order.Lines ?? []);
        }
        catch (Exception ex) when (ex is ArgumentException or OverflowException)
        {
            return Unprocessable(order.OrderId, "order.created", ex.Message);
        }

        // The claim is written without reading first: a new order has no record, and a refused first-write (a
        // duplicate's claim or a cancellation's tombstone) makes the next pass read it.
        return await SettleAsync(plan.OrderId, "order.created", (pass, ct) => ClaimAndReserveAsync(pass, plan, ct), cancellationToken,
            StateVersion<StockReservationRecord>.Missing(StockReservationRecord.KeyFor(plan.OrderId)));
    }

    public async Task<TopicStatus> OnOrderCancelledAsync(OrderCancelled cancellation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cancellation);
        return await SettleAsync(cancellation.OrderId, "order.cancelled", (pass, ct) => CancelAsync(pass, cancellation.OrderId, ct), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="pass"/> over the order's reservation record until it settles. An event without an order id
    /// can never be processed (DROP); too many lost races ask daprd to redeliver later.
    /// </summary>
    private async Task<TopicStatus> SettleAsync(string? orderId, string eventName,
        Func<StatePass<StockReservationRecord>, CancellationToken, Task<TopicStatus?>> pass, CancellationToken cancellationToken,
        StateVersion<StockReservationRecord>? known = null)
    {
        if (string.IsNullOrEmpty(orderId))
        {
            return Unprocessable(orderId, eventName, "no order id");
        }

        if (await records.ChangeAsync(StockReservationRecord.KeyFor(orderId), pass, MaxConflicts, cancellationToken, known) is { } settled)
        {
            return settled;
        }

        LogTooManyConflicts(logger, orderId, eventName);
        return TopicStatus.Retry;
    }

    /// <summary>One pass of order.created; null to read the record again.</summary>
    private async Task<TopicStatus?> ClaimAndReserveAsync(StatePass<StockReservationRecord> pass, ReservationPlan plan, CancellationToken cancellationToken)
    {
        if (pass.Value is not { } record)
        {
            var claim = StockReservationRecord.Claim(plan, timeProvider.GetUtcNow());
            if (!await pass.TryWriteAsync(claim, cancellationToken))
            {
                return null;
            }

            return await ReserveAsync(claim, plan, cancellationToken);
        }

        switch (record)
        {
            case { IsClaim: true } when ActorsMayHaveForgotten(record):
                // A redelivery later than the hold retention: an actor that forgot the order would reserve it again,
                // and the saga ended long ago (its deadline is minutes), so nothing is asked and nothing announced.
                LogTooLate(logger, record.OrderId, "order.created");
                return TopicStatus.Success;

            case { IsClaim: true } or { Status: ReservationStatus.Rejected } when record.Reannounced:
                // An earlier repeat completed the decision and announced it again: nothing is left to do.
                LogNothingToDo(logger, record.OrderId, "order.created", record.Status);
                return TopicStatus.Success;

            case { IsClaim: true }:
                // A redelivery or a racing duplicate: the actors give their first answers, so this repeats the decision
                // (and completes it, if the first delivery stopped half-way); marked once it settled.
                var repeated = await ReserveAsync(record, plan, cancellationToken);
                if (repeated == TopicStatus.Success)
                {
                    // Refused: the record moved on meanwhile (rejected or released), which clears the mark anyway.
                    await pass.TryWriteAsync(record with { Reannounced = true }, cancellationToken);
                }

                return repeated;

            case { Status: ReservationStatus.Rejected }:
                // Repeating the give-back covers a crash half-way through it; the rejection is announced again, once.
                await ReleaseAsync(record.OrderId, record.HeldLines(), cancellationToken);
                await PublishRejectedAsync(record, cancellationToken);
                await pass.TryWriteAsync(record with { Reannounced = true }, cancellationToken);
                return TopicStatus.Success;

            default:
                // Released, or the tombstone of a cancellation that came first: never reserve (or committed before).
                LogNothingToDo(logger, record.OrderId, "order.created", record.Status);
                return TopicStatus.Success;
        }
    }

    /// <summary>Asks the Stock actors for the claimed order and acts on their answers.</summary>
    private async Task<TopicStatus?> ReserveAsync(StockReservationRecord claim, ReservationPlan plan, CancellationToken cancellationToken)
    {
        var decision = await DecideAsync(plan, cancellationToken);
        switch (decision.Outcome)
        {
            case ReservationOutcome.Reserved:
                await PublishReservedAsync(claim, cancellationToken);
                LogReserved(logger, claim.OrderId);
                return TopicStatus.Success;

            case ReservationOutcome.Cancelled:
                // The cancellation released the order on some SKU first; it gives back whatever this delivery held.
                LogCancelledWhileReserving(logger, claim.OrderId);
                return TopicStatus.Success;

            default:
                return await RejectAsync(claim, decision.Shortages, cancellationToken);
        }
    }

    /// <summary>
    /// Records the rejection (so every repeat announces the same shortages), gives back the lines held before the
    /// shortage, then announces it. Rare, so it reads the record again for the ETag rather than carrying it.
    /// </summary>
    private async Task<TopicStatus?> RejectAsync(StockReservationRecord claim, IReadOnlyList<StockShortage> shortages, CancellationToken cancellationToken)
    {
        return await records.ChangeAsync<TopicStatus>(StockReservationRecord.KeyFor(claim.OrderId), async (pass, ct) =>
        {
            var record = pass.Value ?? claim;
            if (record.IsClaim)
            {
                var rejected = record.Reject(shortages, timeProvider.GetUtcNow());
                if (!await pass.TryWriteAsync(rejected, ct))
                {
                    return null;
                }

                record = rejected;
            }

            if (record.Status != ReservationStatus.Rejected)
            {
                // Released meanwhile: the cancellation gave back whatever this delivery held.
                LogNothingToDo(logger, record.OrderId, "order.created", record.Status);
                return TopicStatus.Success;
            }

            await ReleaseAsync(record.OrderId, record.HeldLines(), ct);
            await PublishRejectedAsync(record, ct);
            LogRejected(logger, record.OrderId);
            return TopicStatus.Success;
        }, MaxConflicts, cancellationToken);
    }

    /// <summary>One pass of order.cancelled; null to read the record again.</summary>
    private async Task<TopicStatus?> CancelAsync(StatePass<StockReservationRecord> pass, string orderId, CancellationToken cancellationToken)
    {
        if (pass.Value is not { } record)
        {
            if (!await pass.TryWriteAsync(StockReservationRecord.Tombstone(orderId, timeProvider.GetUtcNow()), cancellationToken))
            {
                return null;
            }

            LogTombstone(logger, orderId);
            return TopicStatus.Success;
        }

        switch (record)
        {
            case { IsClaim: true }:
                // Release, announce, then record: each step is safe to repeat (a repeated release answers what the first
                // gave back), so a crash anywhere before the record is saved makes the redelivery announce the same
                // release again (at least once, never lost). Releasing also marks each SKU, so a reserve of this order
                // still in flight is refused.
                var returned = await ReleaseAsync(record.OrderId, record.Lines, cancellationToken);
                var released = record.MoveTo(ReservationStatus.Released, timeProvider.GetUtcNow());
                if (returned.Count > 0)
                {
                    await PublishReleasedAsync(released.OrderId, returned, released.EnteredAt(ReservationStatus.Released), cancellationToken);
                }
                else if (ActorsMayHaveForgotten(record))
                {
                    LogTooLate(logger, record.OrderId, "order.cancelled");
                }

                if (!await pass.TryWriteAsync(released, cancellationToken))
                {
                    return null;
                }

                LogReleased(logger, record.OrderId, returned.Sum(l => l.Quantity));
                return TopicStatus.Success;

            case { Status: ReservationStatus.Rejected }:
                // Nothing is held once a rejection completed; repeating the release covers a crash half-way through it.
                await ReleaseAsync(record.OrderId, record.HeldLines(), cancellationToken);
                return TopicStatus.Success;

            default:
                LogNothingToDo(logger, record.OrderId, "order.cancelled", record.Status);
                return TopicStatus.Success;
        }
    }

    /// <summary>
    /// True when the claim is so old that a Stock actor may have pruned the order's hold (see
    /// <see cref="InventoryOptions.HoldRetention"/>), allowing for replicas' clocks.
    /// </summary>
    private bool ActorsMayHaveForgotten(StockReservationRecord record) =>
        timeProvider.GetUtcNow() - record.EnteredAt(ReservationStatus.Claimed)
            >= options.Value.HoldRetention - InventoryOptions.ClockSkewAllowance;

    private TopicStatus Unprocessable(string? orderId, string eventName, string reason)
    {
        LogUnprocessable(logger, orderId, eventName, reason);
        return TopicStatus.Drop;
    }

    private async Task<ReservationDecision> DecideAsync(ReservationPlan plan, CancellationToken cancellationToken)
    {
        var results = new List<StockReservationResult>(plan.Lines.Count);
        foreach (var line in plan.Lines)
        {
            var result = await stock.For(line.Sku).ReserveAsync(new StockReservationRequest(plan.OrderId, line.Quantity), cancellationToken);
            results.Add(result);
            if (ReservationPlan.StopsPlan(result))
            {
                break;
            }
        }

        return plan.Decide(results);
    }

    /// <summary>Releases every line (idempotent per order); returns what the order's release gave back.</summary>
    private async Task<IReadOnlyList<StockLine>> ReleaseAsync(string orderId, IReadOnlyList<StockLine> lines, CancellationToken cancellationToken)
    {
        var returned = new List<StockLine>();
        foreach (var line in lines)
        {
            var result = await stock.For(line.Sku).ReleaseAsync(orderId, cancellationToken);
            if (result.ReleasedQuantity > 0)
            {
                returned.Add(new StockLine(line.Sku, result.ReleasedQuantity));
            }
        }

        return returned;
    }

    /// <summary>
    /// An order's reservation is decided once, so the decision gets a stable CloudEvent id: when a redelivered
    /// order.created announces it again, subscribers see the same id and drop the repeat.
    /// </summary>
    internal static string DecisionEventId(ReservationOutcome outcome, string orderId) =>
        outcome == ReservationOutcome.Reserved ? $"stock-reserved-{orderId}" : $"stock-rejected-{orderId}";

    /// <summary>Announced with the claim's time, so a repeat carries the same data.</summary>
    private Task PublishReservedAsync(StockReservationRecord claim, CancellationToken cancellationToken) =>
        events.PublishAsync(PubSub.Name, Topics.Of(EventTypes.StockReserved),
            new StockReserved(claim.OrderId, claim.Lines, claim.EnteredAt(ReservationStatus.Claimed)),
            EventTypes.StockReserved, DecisionEventId(ReservationOutcome.Reserved, claim.OrderId), cancellationToken);

    private Task PublishRejectedAsync(StockReservationRecord record, CancellationToken cancellationToken) =>
        events.PublishAsync(PubSub.Name, Topics.Of(EventTypes.StockRejected),
            new StockRejected(record.OrderId, record.Shortages, record.EnteredAt(ReservationStatus.Rejected)),
            EventTypes.StockRejected, DecisionEventId(ReservationOutcome.Rejected, record.OrderId), cancellationToken);

    /// <summary>CloudEvent id of the release of a reservation: released once, so repeats of it are duplicates.</summary>
    internal static string ReleaseEventId(string orderId) => $"stock-released-{orderId}";

    private Task PublishReleasedAsync(string orderId, IReadOnlyList<StockLine> lines, DateTimeOffset at, CancellationToken cancellationToken) =>
        events.PublishAsync(PubSub.Name, Topics.Of(EventTypes.StockReleased), new StockReleased(orderId, lines, at), EventTypes.StockReleased,
            ReleaseEventId(orderId), cancellationToken);

    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Order {OrderId} is reserved")]
    private static partial void LogReserved(ILogger logger, string orderId);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Order {OrderId} was cancelled before it was reserved; tombstone written")]
    private static partial void LogTombstone(ILogger logger, string orderId);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Nothing to do for {EventName} of order {OrderId}: reservation is {Status}")]
    private static partial void LogNothingToDo(ILogger logger, string orderId, string eventName, ReservationStatus status);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning,
        Message = "{EventName} of order {OrderId} arrived later than the hold retention allows: the Stock actors may have forgotten the order, so nothing is reserved again and a reservation made then stays committed")]
    private static partial void LogTooLate(ILogger logger, string orderId, string eventName);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Too many concurrent updates of reservation {OrderId} while handling {EventName}; asking for redelivery")]
    private static partial void LogTooManyConflicts(ILogger logger, string orderId, string eventName);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "Dropping {EventName} of order {OrderId}: {Reason}")]
    private static partial void LogUnprocessable(ILogger logger, string? orderId, string eventName, string reason);

    [LoggerMessage(EventId = 106, Level = LogLevel.Debug, Message = "Order {OrderId} is rejected for lack of stock")]
    private static partial void LogRejected(ILogger logger, string orderId);

    [LoggerMessage(EventId = 107, Level = LogLevel.Debug, Message = "Order {OrderId} was cancelled while it was being reserved; its cancellation gives back what it held")]
    private static partial void LogCancelledWhileReserving(ILogger logger, string orderId);

    [LoggerMessage(EventId = 108, Level = LogLevel.Debug, Message = "Reservation of order {OrderId} released ({Units} units back)")]
    private static partial void LogReleased(ILogger logger, string orderId, int units);
}
