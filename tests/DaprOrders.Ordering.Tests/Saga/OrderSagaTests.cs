using DaprOrders.Contracts;
using DaprOrders.Ordering.Orders;
using DaprOrders.Ordering.Saga;

namespace DaprOrders.Ordering.Tests.Saga;

public sealed class OrderSagaTests
{
    private const string OrderId = "0f8fad5b-d9cb-869f-a165-70867728950e";
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);
    private static readonly Money Total = new(3999, "EUR");

    private static readonly OrderDocument Submitted = new(OrderId, "c-1", "EUR", [new OrderLine("a", 2, 1999), new OrderLine("b", 1, 1)], Total,
        OrderStatus.Submitted, null, [new OrderHistoryEntry(OrderStatus.Submitted, T0)], T0, T0, new OrderSubmissionKey("/shop", "e-1", "sha256:00"));

    private static SagaInput Reserved => new SagaInput.StockWasReserved(new StockReserved(OrderId, [new StockLine("a", 2)], T0));

    private static SagaInput Rejected => new SagaInput.StockWasRejected(new StockRejected(OrderId, [new StockShortage("a", 2, 1)], T0));

    private static SagaInput Paid => new SagaInput.PaymentWasTaken(new PaymentSucceeded(OrderId, "p-1", Total, T0));

    private static SagaInput Declined => new SagaInput.PaymentWasDeclined(new PaymentFailed(OrderId, "card declined", "insufficient-funds", T0));

    private static SagaInput DeadlinePassed => new SagaInput.DeadlinePassed();

    [Fact]
    public void Reserved_stock_stores_awaiting_payment_and_requests_payment_of_the_order_total()
    {
        var at = T0.AddSeconds(1);
        var step = OrderSaga.Decide(Submitted, Reserved, at);

        Assert.Equal(OrderStatus.AwaitingPayment, step.Store!.Status);
        Assert.Equal(new OrderHistoryEntry(OrderStatus.AwaitingPayment, at), step.Store.History[^1]);
        Assert.Equal<SagaEffect>(
            [new SagaEffect.PublishPaymentRequested(new PaymentRequested(OrderId, "c-1", Total, at), $"payment-requested-{OrderId}")],
            step.Effects);
    }

    [Fact]
    public void Rejected_stock_cancels_as_out_of_stock_and_removes_the_deadline()
    {
        var at = T0.AddSeconds(1);
        var step = OrderSaga.Decide(Submitted, Rejected, at);

        Assert.Equal((OrderStatus.Cancelled, CancellationReason.OutOfStock), (step.Store!.Status, step.Store.CancellationReason));
        Assert.Equal("a: requested 2, available 1", step.Store.History[^1].Detail);
        Assert.Equal<SagaEffect>(
        [
            new SagaEffect.PublishOrderCancelled(new OrderCancelled(OrderId, "c-1", CancellationReason.OutOfStock, at, "a: requested 2, available 1"),
                $"order-cancelled-{OrderId}"),
            new SagaEffect.CancelDeadline(),
        ], step.Effects);
    }

    [Fact]
    public void Payment_completes_the_order_and_removes_the_deadline()
    {
        var at = T0.AddSeconds(2);
        var step = OrderSaga.Decide(AwaitingPayment(), Paid, at);

        Assert.Equal(OrderStatus.Completed, step.Store!.Status);
        Assert.Equal<SagaEffect>(
        [
            new SagaEffect.PublishOrderCompleted(new OrderCompleted(OrderId, "c-1", Total, at), $"order-completed-{OrderId}"),
            new SagaEffect.CancelDeadline(),
        ], step.Effects);
    }

    [Fact]
    public void A_declined_payment_cancels_as_payment_declined()
    {
        var step = OrderSaga.Decide(AwaitingPayment(), Declined, T0.AddSeconds(2));

        Assert.Equal((OrderStatus.Cancelled, CancellationReason.PaymentDeclined), (step.Store!.Status, step.Store.CancellationReason));
        var cancelled = Assert.IsType<SagaEffect.PublishOrderCancelled>(step.Effects[0]).Event;
        Assert.Equal("insufficient-funds: card declined", cancelled.Detail);
        Assert.Contains(step.Effects, e => e is SagaEffect.CancelDeadline);
    }

    [Theory]
    [InlineData(OrderStatus.Submitted)]
    [InlineData(OrderStatus.AwaitingPayment)]
    public void The_deadline_cancels_any_unfinished_order(OrderStatus status)
    {
        var order = status == OrderStatus.Submitted ? Submitted : AwaitingPayment();

        var step = OrderSaga.Decide(order, DeadlinePassed, T0 + Deadline);

        Assert.Equal((OrderStatus.Cancelled, CancellationReason.DeadlineExceeded), (step.Store!.Status, step.Store.CancellationReason));
        var cancelled = Assert.IsType<SagaEffect.PublishOrderCancelled>(Assert.Single(step.Effects));
        Assert.Equal((CancellationReason.DeadlineExceeded, "not completed 120 s after it was submitted"), (cancelled.Event.Reason, cancelled.Event.Detail));
        // Not here: the deadline's own turn deletes its reminder once it is done (OrderProcessActor).
    }

    [Fact]
    public void The_first_repeat_of_an_input_announces_its_step_again_then_marks_it_and_later_repeats_do_nothing()
    {
        var first = OrderSaga.Decide(Submitted, Reserved, T0.AddSeconds(1));

        var again = OrderSaga.Decide(first.Store!, Reserved, T0.AddSeconds(9));

        // The same event under the same id, and the mark stored only after it went out.
        Assert.Null(again.Store);
        Assert.Equal(first.Effects, again.Effects);
        Assert.Equal(first.Store! with { Reannounced = true }, again.StoreAfter);
        Assert.True(OrderSaga.Decide(again.StoreAfter!, Reserved, T0.AddSeconds(10)).Ignored);

        // The next status clears the mark, so a repeat of the input that led to it announces again.
        var paid = OrderSaga.Decide(again.StoreAfter!, Paid, T0.AddSeconds(11));
        Assert.False(paid.Store!.Reannounced);
        Assert.NotNull(OrderSaga.Decide(paid.Store, Paid, T0.AddSeconds(12)).StoreAfter);
    }

    public static TheoryData<string, string> EndingsAndOtherInputs => new()
    {
        { "paid", "reserved" }, { "paid", "rejected" }, { "paid", "declined" }, { "paid", "deadline" },
        { "rejected", "reserved" }, { "rejected", "paid" }, { "rejected", "declined" }, { "rejected", "deadline" },
        { "declined", "reserved" }, { "declined", "rejected" }, { "declined", "paid" }, { "declined", "deadline" },
        { "deadline", "reserved" }, { "deadline", "rejected" }, { "deadline", "paid" }, { "deadline", "declined" },
    };

    [Theory]
    [MemberData(nameof(EndingsAndOtherInputs))]
    public void An_ended_order_repeats_its_announcement_only_for_the_input_that_ended_it(string ending, string other)
    {
        var before = ending is "paid" or "declined" ? AwaitingPayment() : Submitted;
        var ended = OrderSaga.Decide(before, Input(ending), T0.AddSeconds(2));
        Assert.True(ended.Store!.Status.IsTerminal());

        Assert.True(OrderSaga.Decide(ended.Store, Input(other), T0.AddSeconds(3)).Ignored);
        var again = OrderSaga.Decide(ended.Store, Input(ending), T0.AddSeconds(3));
        Assert.Null(again.Store);
        // The same event under the same id; the deadline is deleted again unless it is what ended the order.
        Assert.Equal(ended.Effects, again.Effects);
        Assert.Equal(ending != "deadline", again.Effects.Contains(new SagaEffect.CancelDeadline()));
        Assert.True(OrderSaga.Decide(again.StoreAfter!, Input(ending), T0.AddSeconds(4)).Ignored);
    }

    [Fact]
    public void Input_that_does_not_fit_an_unfinished_order_is_ignored()
    {
        Assert.True(OrderSaga.Decide(Submitted, Paid, T0.AddSeconds(1)).Ignored);
        Assert.True(OrderSaga.Decide(Submitted, Declined, T0.AddSeconds(1)).Ignored);
        Assert.True(OrderSaga.Decide(AwaitingPayment(), Rejected, T0.AddSeconds(5)).Ignored);
    }

    [Fact]
    public void The_happy_path_ends_completed_with_every_step_in_the_history()
    {
        var order = OrderSaga.Decide(Submitted, Reserved, T0.AddSeconds(1)).Store!;
        order = OrderSaga.Decide(order, Paid, T0.AddSeconds(2)).Store!;

        Assert.Equal(OrderStatus.Completed, order.Status);
        Assert.Equal([OrderStatus.Submitted, OrderStatus.AwaitingPayment, OrderStatus.Completed], order.History.Select(h => h.Status));
        Assert.Equal(T0.AddSeconds(2), order.UpdatedAt);
    }

    private static OrderDocument AwaitingPayment() => OrderSaga.Decide(Submitted, Reserved, T0.AddSeconds(1)).Store!;

    private static SagaInput Input(string name) => name switch
    {
        "reserved" => Reserved,
        "rejected" => Rejected,
        "paid" => Paid,
        "declined" => Declined,
        _ => DeadlinePassed,
    };
}
