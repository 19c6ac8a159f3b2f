using DaprOrders.Contracts;
using DaprOrders.Inventory.Reservations;
using DaprOrders.Inventory.Stock;

namespace DaprOrders.Inventory.Tests;

public sealed class ReservationPlanTests
{
    [Fact]
    public void Lines_are_merged_per_sku_and_sorted_ordinally()
    {
        var plan = ReservationPlan.For("o1", [new OrderLine("b", 1, 10), new OrderLine("a", 2, 10), new OrderLine("B", 1, 10), new OrderLine("b", 3, 10)]);

        Assert.Equal([new StockLine("B", 1), new StockLine("a", 2), new StockLine("b", 4)], plan.Lines);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Lines_with_non_positive_quantities_cannot_be_planned(int quantity)
    {
        Assert.Throws<ArgumentException>(() => ReservationPlan.For("o1", [new OrderLine("a", quantity, 10)]));
    }

    [Fact]
    public void An_order_without_lines_cannot_be_planned()
    {
        Assert.Throws<ArgumentException>(() => ReservationPlan.For("o1", []));
    }

    [Fact]
    public void Every_line_held_means_reserved()
    {
        var plan = ReservationPlan.For("o1", [new OrderLine("a", 1, 1), new OrderLine("b", 2, 1)]);

        var decision = plan.Decide([Result("a", ReserveOutcome.Reserved, 1, 9), Result("b", ReserveOutcome.Reserved, 2, 8)]);

        Assert.Equal(ReservationOutcome.Reserved, decision.Outcome);
        Assert.Equal(plan.Lines, decision.Lines);
        Assert.Empty(decision.Shortages);
    }

    [Fact]
    public void A_short_line_rejects_the_order_with_its_shortage()
    {
        var plan = ReservationPlan.For("o1", [new OrderLine("a", 1, 1), new OrderLine("b", 5, 1), new OrderLine("c", 1, 1)]);

        var decision = plan.Decide([Result("a", ReserveOutcome.Reserved, 1, 9), Result("b", ReserveOutcome.Insufficient, 5, 2)]);

        Assert.Equal(ReservationOutcome.Rejected, decision.Outcome);
        Assert.Equal([new StockShortage("b", 5, 2)], decision.Shortages);
    }

    [Fact]
    public void A_line_already_released_for_the_order_means_it_was_cancelled_not_short()
    {
        var plan = ReservationPlan.For("o1", [new OrderLine("a", 1, 1), new OrderLine("b", 1, 1)]);

        var decision = plan.Decide([Result("a", ReserveOutcome.Reserved, 1, 4), Result("b", ReserveOutcome.Released, 1, 4)]);

        Assert.Equal(ReservationOutcome.Cancelled, decision.Outcome);
        Assert.Empty(decision.Shortages);
    }

    [Fact]
    public void Only_a_line_that_is_not_held_stops_the_plan()
    {
        Assert.False(ReservationPlan.StopsPlan(Result("a", ReserveOutcome.Reserved, 1, 0)));
        Assert.True(ReservationPlan.StopsPlan(Result("a", ReserveOutcome.Insufficient, 1, 0)));
        Assert.True(ReservationPlan.StopsPlan(Result("a", ReserveOutcome.Released, 1, 0)));
    }

    private static StockReservationResult Result(string sku, ReserveOutcome outcome, int quantity, int available) =>
        new(sku, "o1", outcome, quantity, available);
}

public sealed class StockReservationRecordTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Only_a_claim_can_be_rejected_or_released()
    {
        var plan = ReservationPlan.For("o1", [new OrderLine("a", 1, 1)]);
        var claim = StockReservationRecord.Claim(plan, T0);
        var rejected = claim.Reject([new StockShortage("a", 1, 0)], T0);
        var tombstone = StockReservationRecord.Tombstone("o1", T0);

        Assert.Equal(ReservationStatus.Released, claim.MoveTo(ReservationStatus.Released, T0.AddSeconds(1)).Status);
        Assert.Equal(ReservationStatus.Rejected, rejected.Status);
        Assert.Throws<InvalidOperationException>(() => rejected.MoveTo(ReservationStatus.Released, T0));
        Assert.Throws<InvalidOperationException>(() => tombstone.MoveTo(ReservationStatus.Released, T0));
        Assert.Throws<InvalidOperationException>(() => claim.MoveTo(ReservationStatus.Released, T0)
            .MoveTo(ReservationStatus.Rejected, T0));
    }

    [Fact]
    public void A_record_of_an_earlier_version_reads_as_a_claim_or_as_final()
    {
        static StockReservationRecord Read(string status) => System.Text.Json.JsonSerializer.Deserialize($$"""
            {"orderId":"o1","status":"{{status}}","lines":[{"sku":"a","quantity":1}],"shortages":[],
             "history":[{"status":"{{status}}","at":"2026-01-01T00:00:00+00:00"}]}
            """, InventoryJsonContext.Default.StockReservationRecord)!;

        var reserved = Read("Reserved");
        var committed = Read("Committed");

        Assert.True(reserved.IsClaim);
        Assert.Equal(ReservationStatus.Released, reserved.MoveTo(ReservationStatus.Released, T0.AddDays(1)).Status);
        Assert.False(committed.IsClaim);
        Assert.Empty(committed.HeldLines());
    }

    [Fact]
    public void The_time_of_a_status_is_kept_for_republishing()
    {
        var plan = ReservationPlan.For("o1", [new OrderLine("a", 1, 1)]);
        var record = StockReservationRecord.Claim(plan, T0).MoveTo(ReservationStatus.Released, T0.AddMinutes(1));

        Assert.Equal(T0, record.EnteredAt(ReservationStatus.Claimed));
        Assert.Equal(T0.AddMinutes(1), record.EnteredAt(ReservationStatus.Released));
    }
}

public sealed class HeldLinesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_rejection_held_only_the_lines_before_its_first_shortage()
    {
        var plan = ReservationPlan.For("o1", [new OrderLine("a", 1, 1), new OrderLine("b", 1, 1), new OrderLine("c", 1, 1)]);

        var record = StockReservationRecord.Claim(plan, T0).Reject([new StockShortage("b", 1, 0)], T0);

        Assert.Equal([new StockLine("a", 1)], record.HeldLines());
    }

    [Fact]
    public void A_claim_may_hold_every_line_and_a_tombstone_none()
    {
        var plan = ReservationPlan.For("o1", [new OrderLine("a", 1, 1), new OrderLine("b", 2, 1)]);

        Assert.Equal(plan.Lines, StockReservationRecord.Claim(plan, T0).HeldLines());
        Assert.Empty(StockReservationRecord.Tombstone("o1", T0).HeldLines());
    }
}
