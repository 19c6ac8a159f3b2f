using System.Globalization;
using DaprOrders.Contracts;
using DaprOrders.Ordering.Orders;

namespace DaprOrders.Ordering.Saga;

/// <summary>
/// What the <c>OrderProcess</c> actor remembers about its order between turns (actor state <c>saga</c>): saved by each
/// turn that announced an event, so a repeated input is told from one whose turn failed before it announced.
/// </summary>
public sealed record OrderSagaState(
    string OrderId,
    string CustomerId,
    Money Total,
    OrderStatus Status,
    CancellationReason? CancellationReason,
    DateTimeOffset StartedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<string> Processed)
{
    public bool IsTerminal => Status.IsTerminal();
}

/// <summary>Something that happened to an order, as the saga sees it.</summary>
public abstract record SagaInput
{
    /// <summary>Marker recorded in <see cref="OrderSagaState.Processed"/> once the input changed the saga.</summary>
    public abstract string Marker { get; }

    public sealed record StockWasReserved(StockReserved Event) : SagaInput
    {
        public override string Marker => "stock-reserved";
    }

    public sealed record StockWasRejected(StockRejected Event) : SagaInput
    {
        public override string Marker => "stock-rejected";
    }

    public sealed record PaymentWasTaken(PaymentSucceeded Event) : SagaInput
    {
        public override string Marker => "payment-succeeded";
    }

    public sealed record PaymentWasDeclined(PaymentFailed Event) : SagaInput
    {
        public override string Marker => "payment-failed";
    }

    public sealed record DeadlinePassed : SagaInput
    {
        public override string Marker => "deadline";
    }
}

/// <summary>A side effect the actor must carry out, in list order, for a decision of <see cref="OrderSaga"/>.</summary>
public abstract record SagaEffect
{
    /// <summary>Record the status on the order document (and in its history).</summary>
    public sealed record RecordStatus(OrderStatus Status, DateTimeOffset At, CancellationReason? Reason = null, string? Detail = null) : SagaEffect;

    public sealed record PublishPaymentRequested(PaymentRequested Event) : SagaEffect;

    public sealed record PublishOrderCompleted(OrderCompleted Event) : SagaEffect;

    public sealed record PublishOrderCancelled(OrderCancelled Event) : SagaEffect;

    /// <summary>Register the one-shot <c>deadline</c> reminder.</summary>
    public sealed record ScheduleDeadline(TimeSpan DueIn) : SagaEffect;

    /// <summary>Unregister the <c>deadline</c> reminder: the order reached its end.</summary>
    public sealed record CancelDeadline : SagaEffect;
}

/// <summary>The saga's answer to one input: the next state and what to do. <see cref="Changed"/> is false for ignored input.</summary>
public sealed record SagaStep(OrderSagaState State, IReadOnlyList<SagaEffect> Effects)
{
    public bool Changed => Effects.Count > 0;

    /// <summary>The step publishes an event, so its state must be saved: only that tells a repeat of its input not to publish again.</summary>
    public bool Announces => Effects.Any(e => e is SagaEffect.PublishPaymentRequested or SagaEffect.PublishOrderCompleted or SagaEffect.PublishOrderCancelled);
}

/// <summary>
/// The order saga as a pure state machine: no I/O, no clock, so every transition is unit-testable.
/// Reserving → AwaitingPayment → Completed, or → Cancelled (out-of-stock, payment-declined, deadline-exceeded).
/// Input that does not fit the current status (a duplicate, a late event, anything after the end) is ignored, which
/// makes redelivery harmless and keeps a terminal order terminal.
/// </summary>
public static class OrderSaga
{
    public const string StartedMarker = "started";

    /// <summary>
    /// Starts the saga for a created order: a deadline reminder, then status Reserving. In that order, a stored status
    /// past Submitted proves the deadline is scheduled, so the start announces nothing and needs no saved state.
    /// </summary>
    public static SagaStep Start(OrderCreated created, DateTimeOffset now, TimeSpan deadline)
    {
        ArgumentNullException.ThrowIfNull(created);
        var state = new OrderSagaState(created.OrderId, created.CustomerId, created.Total, OrderStatus.Reserving,
            CancellationReason: null, StartedAt: now, UpdatedAt: now, Processed: [StartedMarker]);
        return new SagaStep(state,
        [
            new SagaEffect.ScheduleDeadline(deadline),
            new SagaEffect.RecordStatus(OrderStatus.Reserving, now),
        ]);
    }

    /// <summary>
    /// The saga of an order stored past Submitted with no saved state: it was started, and no turn since saved what it
    /// announced (a turn that failed before saving may have recorded a later status). Resuming from the start makes a
    /// redelivered event repeat that turn and its announcement.
    /// </summary>
    public static OrderSagaState Resume(OrderDocument order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var startedAt = order.History.FirstOrDefault(h => h.Status == OrderStatus.Reserving)?.At ?? order.CreatedAt;
        return new OrderSagaState(order.OrderId, order.CustomerId, order.Total, OrderStatus.Reserving,
            CancellationReason: null, StartedAt: startedAt, UpdatedAt: startedAt, Processed: [StartedMarker]);
    }

    public static SagaStep Apply(OrderSagaState state, SagaInput input, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(input);
        if (state.IsTerminal)
        {
            return Ignore(state);
        }

        return (state.Status, input) switch
        {
            (OrderStatus.Reserving, SagaInput.StockWasReserved) => RequestPayment(state, input, now),
            (OrderStatus.Reserving, SagaInput.StockWasRejected rejected) =>
                Cancel(state, input, now, CancellationReason.OutOfStock, DescribeShortages(rejected.Event.Shortages)),
            (OrderStatus.AwaitingPayment, SagaInput.PaymentWasTaken) => Complete(state, input, now),
            (OrderStatus.AwaitingPayment, SagaInput.PaymentWasDeclined declined) =>
                Cancel(state, input, now, CancellationReason.PaymentDeclined, $"{declined.Event.DeclineCode}: {declined.Event.Reason}"),
            (_, SagaInput.DeadlinePassed) =>
                Cancel(state, input, now, CancellationReason.DeadlineExceeded, $"not completed {Describe(now - state.StartedAt)} after it started",
                    deadlineFired: true),
            _ => Ignore(state),
        };
    }

    /// <summary>
    /// The order document already ended differently from what the saga remembers (a turn failed after recording the
    /// status): adopt the stored outcome and announce it again, because the failed turn may not have published it.
    /// </summary>
    public static SagaStep Adopt(OrderSagaState state, OrderDocument order, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(order);
        if (!order.Status.IsTerminal() || state.Status == order.Status)
        {
            return Ignore(state);
        }

        var next = state with { Status = order.Status, CancellationReason = order.CancellationReason, UpdatedAt = now };
        SagaEffect announce = order.Status == OrderStatus.Completed
            ? new SagaEffect.PublishOrderCompleted(new OrderCompleted(state.OrderId, state.CustomerId, state.Total, order.UpdatedAt))
            : new SagaEffect.PublishOrderCancelled(new OrderCancelled(state.OrderId, state.CustomerId,
                order.CancellationReason ?? CancellationReason.DeadlineExceeded, order.UpdatedAt, order.History[^1].Detail));
        return new SagaStep(next, [announce, new SagaEffect.CancelDeadline()]);
    }

    private static SagaStep RequestPayment(OrderSagaState state, SagaInput input, DateTimeOffset now) =>
        new(Advance(state, input, OrderStatus.AwaitingPayment, now),
        [
            new SagaEffect.RecordStatus(OrderStatus.AwaitingPayment, now),
            new SagaEffect.PublishPaymentRequested(new PaymentRequested(state.OrderId, state.CustomerId, state.Total, now)),
        ]);

    private static SagaStep Complete(OrderSagaState state, SagaInput input, DateTimeOffset now) =>
        new(Advance(state, input, OrderStatus.Completed, now),
        [
            new SagaEffect.RecordStatus(OrderStatus.Completed, now),
            new SagaEffect.PublishOrderCompleted(new OrderCompleted(state.OrderId, state.CustomerId, state.Total, now)),
            new SagaEffect.CancelDeadline(),
        ]);

    private static SagaStep Cancel(OrderSagaState state, SagaInput input, DateTimeOffset now, CancellationReason reason,
        string detail, bool deadlineFired = false)
    {
        var next = Advance(state, input, OrderStatus.Cancelled, now) with { CancellationReason = reason };
        var effects = new List<SagaEffect>
        {
            new SagaEffect.RecordStatus(OrderStatus.Cancelled, now, reason, detail),
            new SagaEffect.PublishOrderCancelled(new OrderCancelled(state.OrderId, state.CustomerId, reason, now, detail)),
        };
        if (!deadlineFired)
        {
            // A fired one-shot reminder is gone already; any other ending must remove it.
            effects.Add(new SagaEffect.CancelDeadline());
        }

        return new SagaStep(next, effects);
    }

    private static OrderSagaState Advance(OrderSagaState state, SagaInput input, OrderStatus status, DateTimeOffset now) =>
        state with { Status = status, UpdatedAt = now, Processed = [.. state.Processed, input.Marker] };

    private static SagaStep Ignore(OrderSagaState state) => new(state, []);

    private static string DescribeShortages(IReadOnlyList<StockShortage> shortages) =>
        shortages.Count == 0
            ? "stock could not be reserved"
            : string.Join("; ", shortages.Select(s =>
                string.Create(CultureInfo.InvariantCulture, $"{s.Sku}: requested {s.Requested}, available {s.Available}")));

    private static string Describe(TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, elapsed.TotalSeconds):0.#} s");
}
