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

public sealed record RefundReceipt(string RefundId, string PaymentId, Money Amount);
