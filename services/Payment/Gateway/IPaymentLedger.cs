using DaprOrders.Contracts;

namespace DaprOrders.Payment.Gateway;

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
