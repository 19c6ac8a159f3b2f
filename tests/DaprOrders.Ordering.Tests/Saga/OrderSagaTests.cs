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

    private static readonly OrderCreated Created = new(OrderId, "c-1", "EUR", [new OrderLine("a", 2, 1999), new OrderLine("b", 1, 1)], Total, T0);

    private static SagaInput Reserved => new SagaInput.StockWasReserved(new StockReserved(OrderId, [new StockLine("a", 2)], T0));

    private static SagaInput Rejected => new SagaInput.StockWasRejected(new StockRejected(OrderId, [new StockShortage("a", 2, 1)], T0));

    private static SagaInput Paid => new SagaInput.PaymentWasTaken(new PaymentSucceeded(OrderId, "p-1", Total, T0));

    private static SagaInput Declined => new SagaInput.PaymentWasDeclined(new PaymentFailed(OrderId, "card declined", "insufficient-funds", T0));

    private static SagaInput DeadlinePassed => new SagaInput.DeadlinePassed();

    [Fact]
    public void Starting_records_reserving_and_schedules_the_deadline()
    {
        var step = OrderSaga.Start(Created, T0, Deadline);

        Assert.Equal(OrderStatus.Reserving, step.State.Status);
        Assert.Equal((OrderId, "c-1", Total, T0), (step.State.OrderId, step.State.CustomerId, step.State.Total, step.State.StartedAt));
        // The reminder first: a stored Reserving then proves the deadline exists, so the start saves no actor state.
        Assert.Equal<SagaEffect>([new SagaEffect.ScheduleDeadline(Deadline), new SagaEffect.RecordStatus(OrderStatus.Reserving, T0)], step.Effects);
        Assert.False(step.Announces);
    }

    [Fact]
    public void A_started_order_without_saved_state_resumes_from_the_start_so_the_next_turn_is_repeated()
    {
        var started = T0.AddSeconds(1);
        var order = new OrderDocument(OrderId, "c-1", "EUR", Created.Lines, Total, OrderStatus.AwaitingPayment, null,
            [new(OrderStatus.Submitted, T0), new(OrderStatus.Reserving, started), new(OrderStatus.AwaitingPayment, T0.AddSeconds(2))],
            T0, T0.AddSeconds(2), new OrderSubmissionKey("/shop", "a-1", "hash"));

        var resumed = OrderSaga.Resume(order);

        Assert.Equal((OrderStatus.Reserving, started), (resumed.Status, resumed.StartedAt));
        var again = OrderSaga.Apply(resumed, Reserved, T0.AddSeconds(3));
        Assert.True(again.Announces);
        Assert.IsType<SagaEffect.PublishPaymentRequested>(again.Effects[1]);
    }

    [Fact]
    public void Reserved_stock_requests_payment_of_the_order_total()
    {
        var step = OrderSaga.Apply(Started(), Reserved, T0.AddSeconds(1));

        Assert.Equal(OrderStatus.AwaitingPayment, step.State.Status);
        Assert.Equal<SagaEffect>(
        [
            new SagaEffect.RecordStatus(OrderStatus.AwaitingPayment, T0.AddSeconds(1)),
            new SagaEffect.PublishPaymentRequested(new PaymentRequested(OrderId, "c-1", Total, T0.AddSeconds(1))),
        ], step.Effects);
        Assert.Contains("stock-reserved", step.State.Processed);
    }

    [Fact]
    public void Rejected_stock_cancels_as_out_of_stock_and_removes_the_deadline()
    {
        var at = T0.AddSeconds(1);
        var step = OrderSaga.Apply(Started(), Rejected, at);

        Assert.Equal((OrderStatus.Cancelled, CancellationReason.OutOfStock), (step.State.Status, step.State.CancellationReason));
        var record = Assert.IsType<SagaEffect.RecordStatus>(step.Effects[0]);
        Assert.Equal((OrderStatus.Cancelled, CancellationReason.OutOfStock), (record.Status, record.Reason));
        Assert.Equal("a: requested 2, available 1", record.Detail);
        var cancelled = Assert.IsType<SagaEffect.PublishOrderCancelled>(step.Effects[1]).Event;
        Assert.Equal(new OrderCancelled(OrderId, "c-1", CancellationReason.OutOfStock, at, record.Detail), cancelled);
        Assert.IsType<SagaEffect.CancelDeadline>(step.Effects[2]);
    }

    [Fact]
    public void Payment_completes_the_order_and_removes_the_deadline()
    {
        var at = T0.AddSeconds(2);
        var step = OrderSaga.Apply(AwaitingPayment(), Paid, at);

        Assert.Equal(OrderStatus.Completed, step.State.Status);
        Assert.True(step.State.IsTerminal);
        Assert.Equal<SagaEffect>(
        [
            new SagaEffect.RecordStatus(OrderStatus.Completed, at),
            new SagaEffect.PublishOrderCompleted(new OrderCompleted(OrderId, "c-1", Total, at)),
            new SagaEffect.CancelDeadline(),
        ], step.Effects);
    }

    [Fact]
    public void A_declined_payment_cancels_as_payment_declined()
    {
        var step = OrderSaga.Apply(AwaitingPayment(), Declined, T0.AddSeconds(2));

        Assert.Equal((OrderStatus.Cancelled, CancellationReason.PaymentDeclined), (step.State.Status, step.State.CancellationReason));
        var cancelled = Assert.IsType<SagaEffect.PublishOrderCancelled>(step.Effects[1]).Event;
        Assert.Equal("insufficient-funds: card declined", cancelled.Detail);
        Assert.Contains(step.Effects, e => e is SagaEffect.CancelDeadline);
    }

    [Theory]
    [InlineData(OrderStatus.Reserving)]
    [InlineData(OrderStatus.AwaitingPayment)]
    public void The_deadline_cancels_any_unfinished_order(OrderStatus status)
    {
        var state = status == OrderStatus.Reserving ? Started() : AwaitingPayment();

        var step = OrderSaga.Apply(state, DeadlinePassed, T0 + Deadline);

        Assert.Equal((OrderStatus.Cancelled, CancellationReason.DeadlineExceeded), (step.State.Status, step.State.CancellationReason));
        var cancelled = Assert.IsType<SagaEffect.PublishOrderCancelled>(step.Effects[1]).Event;
        Assert.Equal(CancellationReason.DeadlineExceeded, cancelled.Reason);
        // The one-shot reminder has fired: nothing left to unregister.
        Assert.DoesNotContain(step.Effects, e => e is SagaEffect.CancelDeadline);
    }

    public static TheoryData<string> EveryInput => new() { "reserved", "rejected", "paid", "declined", "deadline" };

    [Theory]
    [MemberData(nameof(EveryInput))]
    public void A_terminal_order_ignores_everything(string input)
    {
        var completed = OrderSaga.Apply(AwaitingPayment(), Paid, T0.AddSeconds(2)).State;
        var cancelled = OrderSaga.Apply(Started(), Rejected, T0.AddSeconds(2)).State;

        foreach (var terminal in new[] { completed, cancelled })
        {
            var step = OrderSaga.Apply(terminal, Input(input), T0.AddSeconds(3));

            Assert.False(step.Changed);
            Assert.Same(terminal, step.State);
        }
    }

    [Fact]
    public void Redelivered_events_change_nothing()
    {
        var awaiting = AwaitingPayment();

        Assert.False(OrderSaga.Apply(awaiting, Reserved, T0.AddSeconds(5)).Changed);
        Assert.False(OrderSaga.Apply(awaiting, Rejected, T0.AddSeconds(5)).Changed);
    }

    [Fact]
    public void Payment_results_before_stock_is_reserved_are_ignored()
    {
        var reserving = Started();

        Assert.False(OrderSaga.Apply(reserving, Paid, T0.AddSeconds(1)).Changed);
        Assert.False(OrderSaga.Apply(reserving, Declined, T0.AddSeconds(1)).Changed);
    }

    [Fact]
    public void The_happy_path_ends_completed_with_every_step_recorded()
    {
        var state = Started();
        state = OrderSaga.Apply(state, Reserved, T0.AddSeconds(1)).State;
        state = OrderSaga.Apply(state, Paid, T0.AddSeconds(2)).State;

        Assert.Equal(OrderStatus.Completed, state.Status);
        Assert.Equal(["started", "stock-reserved", "payment-succeeded"], state.Processed);
        Assert.Equal(T0.AddSeconds(2), state.UpdatedAt);
    }

    [Fact]
    public void A_stored_outcome_that_differs_is_adopted_and_announced_again()
    {
        var awaiting = AwaitingPayment();
        var stored = StoredOrder(OrderStatus.Completed, T0.AddSeconds(3));

        var step = OrderSaga.Adopt(awaiting, stored, T0.AddSeconds(4));

        Assert.Equal(OrderStatus.Completed, step.State.Status);
        Assert.Equal<SagaEffect>(
        [
            new SagaEffect.PublishOrderCompleted(new OrderCompleted(OrderId, "c-1", Total, T0.AddSeconds(3))),
            new SagaEffect.CancelDeadline(),
        ], step.Effects);
    }

    private static OrderSagaState Started() => OrderSaga.Start(Created, T0, Deadline).State;

    private static OrderSagaState AwaitingPayment() => OrderSaga.Apply(Started(), Reserved, T0.AddSeconds(1)).State;

    private static SagaInput Input(string name) => name switch
    {
        "reserved" => Reserved,
        "rejected" => Rejected,
        "paid" => Paid,
        "declined" => Declined,
        _ => DeadlinePassed,
    };

    private static OrderDocument StoredOrder(OrderStatus status, DateTimeOffset at) =>
        new(OrderId, "c-1", "EUR", Created.Lines, Total, status, null,
            [new OrderHistoryEntry(OrderStatus.Submitted, T0), new OrderHistoryEntry(status, at)], T0, at,
            new OrderSubmissionKey("/shop", "e-1", "sha256:00"));
}
