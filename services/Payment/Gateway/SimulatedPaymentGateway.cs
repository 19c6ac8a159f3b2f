using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using DaprOrders.Contracts;
using Microsoft.Extensions.Options;

namespace DaprOrders.Payment.Gateway;

/// <summary>
/// In-memory payment provider with deterministic rules (see services/Payment/README.md):
/// <list type="bullet">
/// <item>customer id <c>flaky-N-…</c>: the first N charge attempts for an order fail transiently, then the rules below apply;</item>
/// <item>amount above <see cref="PaymentGatewayOptions.DeclineAboveMinorUnits"/>: declined <c>amount-over-limit</c>;</item>
/// <item>customer id starting with <c>declined-</c>: declined <c>card-declined</c>;</item>
/// <item>otherwise approved, payment id <c>pay_</c> + a hash of the idempotency key (stable across retries).</item>
/// </list>
/// Chaos settings add latency and seeded random transient failures. The ledger lives in memory (one replica).
/// </summary>
public sealed partial class SimulatedPaymentGateway : IPaymentGateway, IPaymentLedger
{
    public const string AmountOverLimit = "amount-over-limit";
    public const string CardDeclined = "card-declined";

    private readonly PaymentGatewayOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly Random _random;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LedgerCharge> _charges = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RefundReceipt> _refunds = new(StringComparer.Ordinal);

    public SimulatedPaymentGateway(IOptions<PaymentGatewayOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options.Value;
        _timeProvider = timeProvider;
#pragma warning disable CA5394 // chaos simulation, not security: a seeded, repeatable generator is the point
        _random = new Random(_options.Seed);
#pragma warning restore CA5394
    }

    public async Task<ChargeResult> ChargeAsync(string idempotencyKey, string customerId, Money amount, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        ArgumentNullException.ThrowIfNull(customerId);
        ArgumentNullException.ThrowIfNull(amount);
        await SimulateLatencyAsync(cancellationToken);

        lock (_lock)
        {
            if (_charges.TryGetValue(idempotencyKey, out var earlier))
            {
                return earlier.Result;
            }

            var attempt = _attempts[idempotencyKey] = _attempts.GetValueOrDefault(idempotencyKey) + 1;
            if (FlakyAttempts(customerId) is { } flaky && attempt <= flaky)
            {
                throw new PaymentGatewayUnavailableException(
                    $"Simulated outage: attempt {attempt} of {flaky} failing attempts for customer '{customerId}'.");
            }

#pragma warning disable CA5394 // see constructor
            if (_options.TransientFailureRate > 0 && _random.NextDouble() < _options.TransientFailureRate)
#pragma warning restore CA5394
            {
                throw new PaymentGatewayUnavailableException($"Simulated random outage (rate {_options.TransientFailureRate}).");
            }

            ChargeResult result = amount.Amount > _options.DeclineAboveMinorUnits
                ? new ChargeDeclined(AmountOverLimit,
                    $"The amount {amount.Amount} exceeds the limit of {_options.DeclineAboveMinorUnits} minor units.")
                : customerId.StartsWith("declined-", StringComparison.Ordinal)
                    ? new ChargeDeclined(CardDeclined, "The card issuer declined the charge.")
                    : new ChargeApproved(PaymentIdFor(idempotencyKey), amount);
            _charges[idempotencyKey] = new LedgerCharge(result, amount);
            return result;
        }
    }

    public async Task<ChargeResult?> FindChargeAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        await SimulateLatencyAsync(cancellationToken);
        lock (_lock)
        {
            return _charges.TryGetValue(idempotencyKey, out var charge) ? charge.Result : null;
        }
    }

    public async Task<RefundReceipt> RefundAsync(string paymentId, Money amount, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(paymentId);
        ArgumentNullException.ThrowIfNull(amount);
        await SimulateLatencyAsync(cancellationToken);
        lock (_lock)
        {
            if (_refunds.TryGetValue(paymentId, out var earlier))
            {
                return earlier;
            }

            var charge = _charges.Values.Select(c => c.Result).OfType<ChargeApproved>().FirstOrDefault(c => c.PaymentId == paymentId)
                ?? throw new InvalidOperationException($"No approved charge with payment id '{paymentId}'.");
            if (amount != charge.Amount)
            {
                throw new InvalidOperationException(
                    $"Refund of {amount.Amount} {amount.Currency} does not match charge {paymentId} of {charge.Amount.Amount} {charge.Amount.Currency}.");
            }

            var receipt = new RefundReceipt("ref_" + paymentId["pay_".Length..], paymentId, amount);
            _refunds[paymentId] = receipt;
            return receipt;
        }
    }

    public PaymentLedgerSummary GetSummary()
    {
        lock (_lock)
        {
            var approved = _charges.Values.Select(c => c.Result).OfType<ChargeApproved>().ToList();
            return new PaymentLedgerSummary(
                Totals(approved.Select(c => c.Amount)),
                Totals(_refunds.Values.Select(r => r.Amount)),
                approved.Count,
                _refunds.Count,
                _charges.Values.Count(c => c.Result is ChargeDeclined));
        }
    }

    /// <summary>N of a <c>flaky-N-…</c> customer id, else null.</summary>
    public static int? FlakyAttempts(string customerId)
    {
        ArgumentNullException.ThrowIfNull(customerId);
        var match = FlakyCustomer().Match(customerId);
        return match.Success && int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    /// <summary>Stable per idempotency key, so the id a retry gets equals the id of the charge that already happened.</summary>
    public static string PaymentIdFor(string idempotencyKey)
    {
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey));
        return "pay_" + Convert.ToHexStringLower(hash.AsSpan(0, 12));
    }

    private static List<Money> Totals(IEnumerable<Money> amounts) =>
        amounts.GroupBy(m => m.Currency, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new Money(g.Sum(m => m.Amount), g.Key))
            .ToList();

    private Task SimulateLatencyAsync(CancellationToken cancellationToken) =>
        _options.Latency > TimeSpan.Zero ? Task.Delay(_options.Latency, _timeProvider, cancellationToken) : Task.CompletedTask;

    [GeneratedRegex("^flaky-([0-9]{1,4})-", RegexOptions.CultureInvariant)]
    private static partial Regex FlakyCustomer();

    private sealed record LedgerCharge(ChargeResult Result, Money Amount);
}
