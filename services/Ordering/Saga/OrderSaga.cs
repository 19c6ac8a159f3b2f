using System.Globalization;
using DaprOrders.Contracts;
using DaprOrders.Ordering.Orders;

namespace DaprOrders.Ordering.Saga;

/// <summary>Something that happened to an order, as the saga sees it.</summary>
public abstract record SagaInput
{
    /// <summary>What the input is, for logs.</summary>
    public abstract string Name { get; }

    public sealed record StockWasReserved(StockReserved Event) : SagaInput
    {
        public override string Name => "stock-reserved";
    }

    public sealed record StockWasRejected(StockRejected Event) : SagaInput
    {
        public override string Name => "stock-rejected";
    }

    public sealed record PaymentWasTaken(PaymentSucceeded Event) : SagaInput
    {
        public override string Name => "payment-succeeded";
    }

    public sealed record PaymentWasDeclined(PaymentFailed Event) : SagaInput
    {
        public override string Name => "payment-failed";
    }

    public sealed record DeadlinePassed : SagaInput
    {
        public override string Name => "deadline";
    }
}

/// <summary>A side effect of a saga step, carried out in list order after the step's document is stored.</summary>
public abstract record SagaEffect
{
    /// <summary>Publish <c>payment.requested</c> with its stable CloudEvent id.</summary>
    public sealed record PublishPaymentRequested(PaymentRequested Event, string EventId) : SagaEffect;

    public sealed record PublishOrderCompleted(OrderCompleted Event, string EventId) : SagaEffect;

    public sealed record PublishOrderCancelled(OrderCancelled Event, string EventId) : SagaEffect;

    /// <summary>Delete the <c>deadline</c> reminder: the order ended before it.</summary>
    public sealed record CancelDeadline : SagaEffect;
}

/// <summary>
/// The saga's answer to one input: the order document to store (null: nothing to store), what to do once it is
/// stored, and a document to store only after the effects ran (<paramref name="StoreAfter"/>: the mark of a repeated
/// announcement, which must not exist before the announcement does). Nothing stored and no effects: the input is ignored.
/// </summary>
public sealed record SagaStep(OrderDocument? Store, IReadOnlyList<SagaEffect> Effects, OrderDocument? StoreAfter = null)
{
    public static readonly SagaStep Ignore = new(null, []);

    public bool Ignored => Store is null && Effects.Count == 0;
}

/// <summary>
/// The order saga as a pure decision function: from the stored order document and one input, the next document and
/// the effects. No I/O, no clock, so every transition is unit-testable. Submitted → AwaitingPayment → Completed, or →
/// Cancelled (out-of-stock, payment-declined, deadline-exceeded).
/// <para>
/// The document is stored before any effect, so it is the saga's only memory: the first input that finds the document
/// already where it leads (a redelivery, also of a turn that failed after storing and before announcing) announces that
/// status again, then marks the document <see cref="OrderDocument.Reannounced"/>; later repeats find the mark and do
/// nothing. Without the mark every duplicate would announce again, each announcement would be a delivery the next
/// service repeats in turn, and duplicates would multiply down the saga. Each announcement has one CloudEvent id per
/// order and type (<see cref="AnnouncementId"/>), so a repeat is a duplicate to every subscriber. Any other input on an ended order, and an input that fits no status (out of order, or
/// never expected there), is ignored: an ended order never changes, and announces nothing it did not cause.
/// </para>
/// </summary>
public static class OrderSaga
{
    /// <summary>The CloudEvent id of the saga's announcement of <paramref name="eventType"/> for an order, e.g. <c>payment-requested-{orderId}</c>.</summary>
    public static string AnnouncementId(string eventType, string orderId) => $"{Topics.Of(eventType)}-{orderId}";

    public static SagaStep Decide(OrderDocument order, SagaInput input, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(input);
        if (LeadsTo(order, input))
        {
            // The step of this input is stored already: a redelivery, maybe of a turn that failed before announcing.
            return order.Reannounced ? SagaStep.Ignore : new SagaStep(null, Announce(order), order with { Reannounced = true });
        }

        if (order.Status.IsTerminal())
        {
            return SagaStep.Ignore;
        }

        return (order.Status, input) switch
        {
            (OrderStatus.Submitted, SagaInput.StockWasReserved) => Move(order, order.WithStatus(OrderStatus.AwaitingPayment, now)),
            (OrderStatus.Submitted, SagaInput.StockWasRejected rejected) =>
                Move(order, order.WithStatus(OrderStatus.Cancelled, now, CancellationReason.OutOfStock, DescribeShortages(rejected.Event.Shortages))),
            (OrderStatus.AwaitingPayment, SagaInput.PaymentWasTaken) => Move(order, order.WithStatus(OrderStatus.Completed, now)),
            (OrderStatus.AwaitingPayment, SagaInput.PaymentWasDeclined declined) =>
                Move(order, order.WithStatus(OrderStatus.Cancelled, now, CancellationReason.PaymentDeclined,
                    $"{declined.Event.DeclineCode}: {declined.Event.Reason}")),
            (_, SagaInput.DeadlinePassed) =>
                Move(order, order.WithStatus(OrderStatus.Cancelled, now, CancellationReason.DeadlineExceeded,
                    $"not completed {Describe(now - order.CreatedAt)} after it was submitted")),
            _ => SagaStep.Ignore,
        };
    }

    /// <summary>The stored status is the one <paramref name="input"/> moves an order to.</summary>
    private static bool LeadsTo(OrderDocument order, SagaInput input) => (order.Status, order.CancellationReason, input) switch
    {
        (OrderStatus.AwaitingPayment, _, SagaInput.StockWasReserved) => true,
        (OrderStatus.Completed, _, SagaInput.PaymentWasTaken) => true,
        (OrderStatus.Cancelled, CancellationReason.OutOfStock, SagaInput.StockWasRejected) => true,
        (OrderStatus.Cancelled, CancellationReason.PaymentDeclined, SagaInput.PaymentWasDeclined) => true,
        (OrderStatus.Cancelled, CancellationReason.DeadlineExceeded, SagaInput.DeadlinePassed) => true,
        _ => false,
    };

    private static SagaStep Move(OrderDocument order, OrderDocument next) =>
        ReferenceEquals(next, order) ? SagaStep.Ignore : new SagaStep(next, Announce(next));

    /// <summary>
    /// What the stored status announces: its event, built from the document alone (the time of the status change in
    /// its history), so a repeat carries the same data under the same id; and for an ending that is not the deadline's
    /// own, the deadline's deletion (the deadline's turn deletes its reminder itself, in <see cref="OrderProcessActor"/>).
    /// </summary>
    private static List<SagaEffect> Announce(OrderDocument order)
    {
        var at = order.History.LastOrDefault(h => h.Status == order.Status)?.At ?? order.UpdatedAt;
        var effects = new List<SagaEffect>();
        switch (order.Status)
        {
            case OrderStatus.AwaitingPayment:
                effects.Add(new SagaEffect.PublishPaymentRequested(new PaymentRequested(order.OrderId, order.CustomerId, order.Total, at),
                    AnnouncementId(EventTypes.PaymentRequested, order.OrderId)));
                break;
            case OrderStatus.Completed:
                effects.Add(new SagaEffect.PublishOrderCompleted(new OrderCompleted(order.OrderId, order.CustomerId, order.Total, at),
                    AnnouncementId(EventTypes.OrderCompleted, order.OrderId)));
                break;
            case OrderStatus.Cancelled:
                var reason = order.CancellationReason ?? CancellationReason.DeadlineExceeded;
                effects.Add(new SagaEffect.PublishOrderCancelled(
                    new OrderCancelled(order.OrderId, order.CustomerId, reason, at, order.History.LastOrDefault(h => h.Status == OrderStatus.Cancelled)?.Detail),
                    AnnouncementId(EventTypes.OrderCancelled, order.OrderId)));
                break;
            default:
                return effects;
        }

        if (order.Status.IsTerminal() && order.CancellationReason != CancellationReason.DeadlineExceeded)
        {
            effects.Add(new SagaEffect.CancelDeadline());
        }

        return effects;
    }

    private static string DescribeShortages(IReadOnlyList<StockShortage> shortages) =>
        shortages.Count == 0
            ? "stock could not be reserved"
            : string.Join("; ", shortages.Select(s =>
                string.Create(CultureInfo.InvariantCulture, $"{s.Sku}: requested {s.Requested}, available {s.Available}")));

    private static string Describe(TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, elapsed.TotalSeconds):0.#} s");
}
