using DaprOrders.Contracts;

namespace DaprOrders.Payment.Gateway;

/// <summary>
/// A card payment provider. Charges are idempotent per <c>idempotencyKey</c> (the order id): a repeated charge
/// returns the first outcome and never charges again, which is what makes a crash between "charged" and "recorded"
/// safe to retry.
/// </summary>
public interface IPaymentGateway
{
    /// <summary>Charges once per key. Throws <see cref="PaymentGatewayUnavailableException"/> for transient failures.</summary>
    Task<ChargeResult> ChargeAsync(string idempotencyKey, string customerId, Money amount, CancellationToken cancellationToken);

    /// <summary>The outcome of an earlier charge with this key, or null when none completed.</summary>
    Task<ChargeResult?> FindChargeAsync(string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>Refunds a charge in full; idempotent per payment id (a repeat returns the first receipt).</summary>
    Task<RefundReceipt> RefundAsync(string paymentId, Money amount, CancellationToken cancellationToken);
}

/// <summary>Outcome of a charge: <see cref="ChargeApproved"/> or <see cref="ChargeDeclined"/>.</summary>
public abstract record ChargeResult;

public sealed record ChargeApproved(string PaymentId, Money Amount) : ChargeResult;

/// <summary><see cref="Code"/> is stable and machine-readable (e.g. <c>card-declined</c>); <see cref="Reason"/> is for humans.</summary>
public sealed record ChargeDeclined(string Code, string Reason) : ChargeResult;

public sealed record RefundReceipt(string RefundId, string PaymentId, Money Amount);

/// <summary>The provider could not be reached or answered with a transient error; the same call may succeed later.</summary>
public sealed class PaymentGatewayUnavailableException : Exception
{
    public PaymentGatewayUnavailableException()
        : this("The payment gateway is temporarily unavailable.")
    {
    }

    public PaymentGatewayUnavailableException(string message)
        : base(message)
    {
    }

    public PaymentGatewayUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Totals of what a gateway charged and refunded (per currency), for tests and operators.</summary>
public interface IPaymentLedger
{
    PaymentLedgerSummary GetSummary();
}

/// <summary><see cref="Count"/> is the number of approved charges (each order at most once).</summary>
public sealed record PaymentLedgerSummary(
    IReadOnlyList<Money> Charged,
    IReadOnlyList<Money> Refunded,
    int Count,
    int RefundCount,
    int DeclinedCount);
