using DaprOrders.Contracts;
using DaprOrders.Payment.Gateway;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DaprOrders.Payment.Tests;

public sealed class SimulatedPaymentGatewayTests
{
    private static readonly Money Eur10 = new(1000, "EUR");

    private static SimulatedPaymentGateway Gateway(Action<PaymentGatewayOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new PaymentGatewayOptions();
        configure?.Invoke(options);
        return new SimulatedPaymentGateway(Options.Create(options), time ?? TimeProvider.System);
    }

    [Fact]
    public async Task An_ordinary_charge_is_approved_with_a_payment_id_stable_per_order()
    {
        var result = await Gateway().ChargeAsync("o1", "alice", Eur10, CancellationToken.None);

        var approved = Assert.IsType<ChargeApproved>(result);
        Assert.Equal(SimulatedPaymentGateway.PaymentIdFor("o1"), approved.PaymentId);
        Assert.StartsWith("pay_", approved.PaymentId, StringComparison.Ordinal);
        Assert.NotEqual(SimulatedPaymentGateway.PaymentIdFor("o2"), approved.PaymentId);
        Assert.Equal(Eur10, approved.Amount);
    }

    [Fact]
    public async Task A_repeated_charge_with_the_same_key_never_charges_twice()
    {
        var gateway = Gateway();

        var first = await gateway.ChargeAsync("o1", "alice", Eur10, CancellationToken.None);
        var second = await gateway.ChargeAsync("o1", "alice", Eur10, CancellationToken.None);

        Assert.Equal(first, second);
        var summary = gateway.GetSummary();
        Assert.Equal(1, summary.Count);
        Assert.Equal([Eur10], summary.Charged);
    }

    [Theory]
    [InlineData(1_000_000, true)]
    [InlineData(1_000_001, false)]
    public async Task Amounts_above_the_limit_are_declined(long amount, bool approved)
    {
        var result = await Gateway().ChargeAsync("o1", "alice", new Money(amount, "EUR"), CancellationToken.None);

        if (approved)
        {
            Assert.IsType<ChargeApproved>(result);
        }
        else
        {
            Assert.Equal(SimulatedPaymentGateway.AmountOverLimit, Assert.IsType<ChargeDeclined>(result).Code);
        }
    }

    [Fact]
    public async Task The_limit_is_configurable()
    {
        var result = await Gateway(o => o.DeclineAboveMinorUnits = 999).ChargeAsync("o1", "alice", Eur10, CancellationToken.None);

        Assert.Equal(SimulatedPaymentGateway.AmountOverLimit, Assert.IsType<ChargeDeclined>(result).Code);
    }

    [Fact]
    public async Task Declined_customers_are_declined_consistently()
    {
        var gateway = Gateway();

        var first = await gateway.ChargeAsync("o1", "declined-bob", Eur10, CancellationToken.None);
        var second = await gateway.ChargeAsync("o1", "declined-bob", Eur10, CancellationToken.None);

        Assert.Equal(SimulatedPaymentGateway.CardDeclined, Assert.IsType<ChargeDeclined>(first).Code);
        Assert.Equal(first, second);
        Assert.Equal(0, gateway.GetSummary().Count);
        Assert.Equal(1, gateway.GetSummary().DeclinedCount);
    }

    [Fact]
    public async Task Flaky_customers_fail_transiently_on_their_first_attempts_per_order_then_succeed()
    {
        var gateway = Gateway();

        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(() => gateway.ChargeAsync("o1", "flaky-2-carol", Eur10, CancellationToken.None));
        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(() => gateway.ChargeAsync("o1", "flaky-2-carol", Eur10, CancellationToken.None));
        var third = await gateway.ChargeAsync("o1", "flaky-2-carol", Eur10, CancellationToken.None);
        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(() => gateway.ChargeAsync("o2", "flaky-2-carol", Eur10, CancellationToken.None));

        Assert.IsType<ChargeApproved>(third);
        Assert.Null(await gateway.FindChargeAsync("o2", CancellationToken.None));
    }

    [Theory]
    [InlineData("flaky-3-x", 3)]
    [InlineData("flaky-0-x", 0)]
    [InlineData("flaky-x", null)]
    [InlineData("flaky-3", null)]
    [InlineData("alice", null)]
    public void Flaky_attempts_are_read_from_the_customer_id(string customerId, int? expected)
    {
        Assert.Equal(expected, SimulatedPaymentGateway.FlakyAttempts(customerId));
    }

    [Fact]
    public async Task A_full_failure_rate_always_fails_and_a_zero_rate_never_does()
    {
        var broken = Gateway(o => o.TransientFailureRate = 1);

        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(() => broken.ChargeAsync("o1", "alice", Eur10, CancellationToken.None));
        Assert.IsType<ChargeApproved>(await Gateway(o => o.TransientFailureRate = 0).ChargeAsync("o1", "alice", Eur10, CancellationToken.None));
    }

    [Fact]
    public async Task Random_failures_repeat_for_the_same_seed()
    {
        async Task<string> RunAsync(int seed)
        {
            var gateway = Gateway(o => { o.TransientFailureRate = 0.5; o.Seed = seed; });
            var outcomes = new List<char>();
            for (var i = 0; i < 40; i++)
            {
                try
                {
                    await gateway.ChargeAsync($"o{i}", "alice", Eur10, CancellationToken.None);
                    outcomes.Add('+');
                }
                catch (PaymentGatewayUnavailableException)
                {
                    outcomes.Add('-');
                }
            }

            return new string([.. outcomes]);
        }

        var first = await RunAsync(7);

        Assert.Equal(first, await RunAsync(7));
        Assert.Contains('+', first);
        Assert.Contains('-', first);
    }

    [Fact]
    public async Task Latency_delays_the_answer_on_the_configured_clock()
    {
        var time = new FakeTimeProvider();
        var gateway = Gateway(o => o.Latency = TimeSpan.FromSeconds(2), time);

        var charge = gateway.ChargeAsync("o1", "alice", Eur10, CancellationToken.None);
        Assert.False(charge.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(2));

        Assert.IsType<ChargeApproved>(await charge.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_refund_is_idempotent_per_payment_and_shows_in_the_ledger()
    {
        var gateway = Gateway();
        var approved = (ChargeApproved)await gateway.ChargeAsync("o1", "alice", Eur10, CancellationToken.None);
        await gateway.ChargeAsync("o2", "alice", new Money(500, "USD"), CancellationToken.None);

        var first = await gateway.RefundAsync(approved.PaymentId, Eur10, CancellationToken.None);
        var second = await gateway.RefundAsync(approved.PaymentId, Eur10, CancellationToken.None);

        Assert.Equal(first, second);
        var summary = gateway.GetSummary();
        Assert.Equal([Eur10, new Money(500, "USD")], summary.Charged);
        Assert.Equal([Eur10], summary.Refunded);
        Assert.Equal((2, 1), (summary.Count, summary.RefundCount));
    }

    [Fact]
    public async Task Refunding_an_unknown_payment_or_a_different_amount_fails()
    {
        var gateway = Gateway();
        var approved = (ChargeApproved)await gateway.ChargeAsync("o1", "alice", Eur10, CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => gateway.RefundAsync("pay_unknown", Eur10, CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => gateway.RefundAsync(approved.PaymentId, new Money(1, "EUR"), CancellationToken.None));
    }

    [Fact]
    public async Task FindCharge_reports_only_completed_charges()
    {
        var gateway = Gateway();
        await gateway.ChargeAsync("o1", "alice", Eur10, CancellationToken.None);

        Assert.IsType<ChargeApproved>(await gateway.FindChargeAsync("o1", CancellationToken.None));
        Assert.Null(await gateway.FindChargeAsync("o2", CancellationToken.None));
    }
}
