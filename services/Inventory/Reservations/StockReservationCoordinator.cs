using DaprOrders.BuildingBlocks.Messaging;
using DaprOrders.BuildingBlocks.State;
using DaprOrders.Contracts;
using DaprOrders.Inventory.Stock;

namespace DaprOrders.Inventory.Reservations;

/// <summary>
/// Order-level, all-or-nothing reservation across Stock actors. Every step is safe to repeat: the Stock actors answer
/// a repeated call for an order with their first answer, and the reservation record (written under the
/// <see cref="ETaggedStateStore{T}"/> rule: first-write, then ETag) decides which delivery publishes. The decision is saved before anything is given back, so a crash at any point converges
/// on redelivery to the same outcome.
/// </summary>
public sealed partial class StockReservationCoordinator(
    StockActors stock,
    ETaggedStateStore<StockReservationRecord> records,
    EventPublisher events,
    TimeProvider timeProvider,
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

        return await SettleAsync(order.OrderId, "order.created", (pass, ct) => DecideAsync(pass, plan, ct), cancellationToken);
    }

    public async Task<TopicStatus> OnOrderCancelledAsync(OrderCancelled cancellation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cancellation);
        return await SettleAsync(cancellation.OrderId, "order.cancelled", (pass, ct) => CancelAsync(pass, cancellation.OrderId, ct), cancellationToken);
    }

    public async Task<TopicStatus> OnOrderCompletedAsync(OrderCompleted completion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completion);
        return await SettleAsync(completion.OrderId, "order.completed", (pass, ct) => CommitAsync(pass, completion.OrderId, ct), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="pass"/> over the order's reservation record until it settles. An event without an order id
    /// can never be processed (DROP); too many lost races ask daprd to redeliver later.
    /// </summary>
    private async Task<TopicStatus> SettleAsync(string? orderId, string eventName,
        Func<StatePass<StockReservationRecord>, CancellationToken, Task<TopicStatus?>> pass, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(orderId))
        {
            return Unprocessable(orderId, eventName, "no order id");
        }

        if (await records.ChangeAsync(StockReservationRecord.KeyFor(orderId), pass, MaxConflicts, cancellationToken) is { } settled)
        {
            return settled;
        }

        LogTooManyConflicts(logger, orderId, eventName);
        return TopicStatus.Retry;
    }

    /// <summary>One pass of order.created; null to read the record again.</summary>
    private async Task<TopicStatus?> DecideAsync(StatePass<StockReservationRecord> pass, ReservationPlan plan, CancellationToken cancellationToken)
    {
        if (pass.Value is { } existing)
        {
            await ReplayCreatedAsync(existing, plan, publish: !pass.AfterLostRace, cancellationToken);
            return TopicStatus.Success;
        }

        var decision = await ReserveAsync(plan, cancellationToken);
        var record = StockReservationRecord.Decided(plan, decision, timeProvider.GetUtcNow());
        if (!await pass.TryWriteAsync(record, cancellationToken))
        {
            // A duplicate delivery decided first (same answers from the actors) or a cancellation left a tombstone.
            return null;
        }

        if (!decision.Reserved)
        {
            await ReleaseAsync(plan.OrderId, record.HeldLines(), cancellationToken);
        }

        await PublishDecisionAsync(record, cancellationToken);
        LogDecided(logger, plan.OrderId, record.Status);
        return TopicStatus.Success;
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

        switch (record.Status)
        {
            case ReservationStatus.Reserved:
                // Release, announce, then record: each step is safe to repeat, so a crash anywhere before the record
                // is saved makes the redelivery do it all again (the event at least once, never lost).
                await ReleaseAsync(record.OrderId, record.Lines, cancellationToken);
                var released = record.MoveTo(ReservationStatus.Released, timeProvider.GetUtcNow());
                await PublishReleasedAsync(released.OrderId, released.Lines, released.EnteredAt(ReservationStatus.Released),
                    ReleaseEventId(released.OrderId), cancellationToken);
                if (!await pass.TryWriteAsync(released, cancellationToken))
                {
                    return null;
                }

                LogDecided(logger, record.OrderId, ReservationStatus.Released);
                return TopicStatus.Success;

            case ReservationStatus.Rejected:
                // Nothing is held once a rejection completed; repeating the release covers a crash half-way through it.
                await ReleaseAsync(record.OrderId, record.HeldLines(), cancellationToken);
                return TopicStatus.Success;

            default:
                LogNothingToDo(logger, record.OrderId, "order.cancelled", record.Status);
                return TopicStatus.Success;
        }
    }

    /// <summary>One pass of order.completed; null to read the record again.</summary>
    private async Task<TopicStatus?> CommitAsync(StatePass<StockReservationRecord> pass, string orderId, CancellationToken cancellationToken)
    {
        if (pass.Value is not { } record)
        {
            // Cannot happen in the saga (completion follows stock.reserved, published after the record was saved).
            LogNoReservation(logger, orderId);
            return TopicStatus.Success;
        }

        if (record.Status != ReservationStatus.Reserved)
        {
            LogNothingToDo(logger, record.OrderId, "order.completed", record.Status);
            return TopicStatus.Success;
        }

        foreach (var line in record.Lines)
        {
            await stock.For(line.Sku).CommitAsync(record.OrderId, cancellationToken);
        }

        if (!await pass.TryWriteAsync(record.MoveTo(ReservationStatus.Committed, timeProvider.GetUtcNow()), cancellationToken))
        {
            return null;
        }

        LogDecided(logger, record.OrderId, ReservationStatus.Committed);
        return TopicStatus.Success;
    }

    private TopicStatus Unprocessable(string? orderId, string eventName, string reason)
    {
        LogUnprocessable(logger, orderId, eventName, reason);
        return TopicStatus.Drop;
    }

    /// <summary>A redelivered (or raced) order.created for an order that already has a record.</summary>
    private async Task ReplayCreatedAsync(StockReservationRecord record, ReservationPlan plan, bool publish, CancellationToken cancellationToken)
    {
        switch (record.Status)
        {
            case ReservationStatus.CancelledBeforeReservation:
                // Never reserve after a cancellation. Releasing marks each SKU as released for this order (so a reserve
                // still in flight is refused) and returns anything a delivery that raced the cancellation managed to hold.
                var returned = await ReleaseAsync(plan.OrderId, plan.Lines, cancellationToken);
                if (returned.Count > 0)
                {
                    await PublishReleasedAsync(plan.OrderId, returned, timeProvider.GetUtcNow(), eventId: null, cancellationToken);
                }

                LogNothingToDo(logger, record.OrderId, "order.created", record.Status);
                return;

            case ReservationStatus.Rejected:
                await ReleaseAsync(record.OrderId, record.HeldLines(), cancellationToken);
                break;

            case ReservationStatus.Released or ReservationStatus.Committed:
                LogNothingToDo(logger, record.OrderId, "order.created", record.Status);
                return;
        }

        if (publish)
        {
            await PublishDecisionAsync(record, cancellationToken);
        }
    }

    private async Task<ReservationDecision> ReserveAsync(ReservationPlan plan, CancellationToken cancellationToken)
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

    /// <summary>Releases every line (idempotent per order); returns what was actually given back.</summary>
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
    internal static string DecisionEventId(ReservationStatus status, string orderId) =>
        status == ReservationStatus.Reserved ? $"stock-reserved-{orderId}" : $"stock-rejected-{orderId}";

    private Task PublishDecisionAsync(StockReservationRecord record, CancellationToken cancellationToken) =>
        record.Status == ReservationStatus.Reserved
            ? events.PublishAsync(PubSub.Name, Topics.Of(EventTypes.StockReserved),
                new StockReserved(record.OrderId, record.Lines, record.EnteredAt(ReservationStatus.Reserved)),
                EventTypes.StockReserved, DecisionEventId(record.Status, record.OrderId), cancellationToken)
            : events.PublishAsync(PubSub.Name, Topics.Of(EventTypes.StockRejected),
                new StockRejected(record.OrderId, record.Shortages, record.EnteredAt(ReservationStatus.Rejected)),
                EventTypes.StockRejected, DecisionEventId(record.Status, record.OrderId), cancellationToken);

    /// <summary>CloudEvent id of the release of a reservation: released once, so repeats of it are duplicates.</summary>
    internal static string ReleaseEventId(string orderId) => $"stock-released-{orderId}";

    /// <param name="eventId">
    /// Null for a fresh id: what a cancellation gives back from reservations that raced it can be a second, different
    /// release of the same order.
    /// </param>
    private Task PublishReleasedAsync(string orderId, IReadOnlyList<StockLine> lines, DateTimeOffset at, string? eventId,
        CancellationToken cancellationToken) =>
        events.PublishAsync(PubSub.Name, Topics.Of(EventTypes.StockReleased), new StockReleased(orderId, lines, at), EventTypes.StockReleased,
            eventId ?? Guid.NewGuid().ToString(), cancellationToken);

    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Reservation of order {OrderId} is now {Status}")]
    private static partial void LogDecided(ILogger logger, string orderId, ReservationStatus status);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Order {OrderId} was cancelled before it was reserved; tombstone written")]
    private static partial void LogTombstone(ILogger logger, string orderId);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Nothing to do for {EventName} of order {OrderId}: reservation is {Status}")]
    private static partial void LogNothingToDo(ILogger logger, string orderId, string eventName, ReservationStatus status);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Order {OrderId} completed but has no reservation record; nothing to commit")]
    private static partial void LogNoReservation(ILogger logger, string orderId);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Too many concurrent updates of reservation {OrderId} while handling {EventName}; asking for redelivery")]
    private static partial void LogTooManyConflicts(ILogger logger, string orderId, string eventName);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "Dropping {EventName} of order {OrderId}: {Reason}")]
    private static partial void LogUnprocessable(ILogger logger, string? orderId, string eventName, string reason);
}
