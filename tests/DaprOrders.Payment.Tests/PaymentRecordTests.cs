using DaprOrders.Contracts;
using DaprOrders.Payment.Payments;

namespace DaprOrders.Payment.Tests;

public sealed class PaymentRecordTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Money Eur10 = new(1000, "EUR");

    private static PaymentRecord Charging() =>
        PaymentRecord.StartCharging(new PaymentRequested("o1", "alice", Eur10, T0), T0);

    [Fact]
    public void A_charge_moves_charging_to_charged_and_counts_the_attempt()
    {
        var charged = Charging().WithFailedAttempt("timeout", T0).ToCharged("pay_1", T0.AddSeconds(5));

        Assert.Equal(PaymentStatus.Charged, charged.Status);
        Assert.Equal("pay_1", charged.PaymentId);
        Assert.Equal(2, charged.Attempts);
        Assert.Equal([PaymentStatus.Charging, PaymentStatus.Charging, PaymentStatus.Charged], charged.History.Select(h => h.Status));
        Assert.Equal(T0.AddSeconds(5), charged.EnteredAt(PaymentStatus.Charged));
    }

    [Fact]
    public void A_decline_is_terminal()
    {
        var declined = Charging().ToDeclined("card-declined", "no", T0);

        Assert.True(declined.IsTerminal);
        Assert.Throws<InvalidOperationException>(() => declined.ToCharged("pay_1", T0));
        Assert.Throws<InvalidOperationException>(() => declined.ToRefunded("pay_1", Eur10, T0));
    }

    [Fact]
    public void Only_charged_or_a_charge_that_raced_a_cancellation_can_be_refunded()
    {
        var charged = Charging().ToCharged("pay_1", T0);
        var tombstone = PaymentRecord.Tombstone("o1", "alice", T0);
        var cancelledWhileCharging = Charging().ToCancelledBeforeCharge(T0);

        Assert.Equal(PaymentStatus.Refunded, charged.ToRefunded("pay_1", Eur10, T0).Status);
        Assert.Equal(PaymentStatus.Refunded, tombstone.ToRefunded("pay_1", Eur10, T0).Status);
        Assert.Equal(PaymentStatus.Refunded, cancelledWhileCharging.ToRefunded("pay_1", Eur10, T0).Status);
        Assert.Throws<InvalidOperationException>(() => charged.ToRefunded("pay_1", Eur10, T0).ToRefunded("pay_1", Eur10, T0));
    }

    [Fact]
    public void A_refund_of_a_charge_nothing_recorded_enters_that_charge_in_the_history()
    {
        var charged = Charging().ToCharged("pay_1", T0);

        Assert.Equal([PaymentStatus.Charging, PaymentStatus.Charged, PaymentStatus.Refunded],
            charged.ToRefunded("pay_1", Eur10, T0).History.Select(h => h.Status));
        Assert.Equal([PaymentStatus.CancelledBeforeCharge, PaymentStatus.Charged, PaymentStatus.Refunded],
            PaymentRecord.Tombstone("o1", "alice", T0).ToRefunded("pay_1", Eur10, T0).History.Select(h => h.Status));
        Assert.Equal([PaymentStatus.Charging, PaymentStatus.Charged, PaymentStatus.Refunded],
            Charging().ToRefunded("pay_1", Eur10, T0).History.Select(h => h.Status));
    }

    [Fact]
    public void A_tombstone_can_never_start_charging()
    {
        var tombstone = PaymentRecord.Tombstone("o1", "alice", T0);

        Assert.Equal(PaymentStatus.CancelledBeforeCharge, tombstone.Status);
        Assert.Null(tombstone.Amount);
        Assert.Throws<InvalidOperationException>(() => tombstone.ToCharged("pay_1", T0));
        Assert.Throws<InvalidOperationException>(() => tombstone.WithFailedAttempt("x", T0));
    }

    [Fact]
    public void Records_are_keyed_by_order()
    {
        Assert.Equal("payment-o1", PaymentRecord.KeyFor("o1"));
    }
}
