using DaprOrders.Contracts;

namespace DaprOrders.Payment.Gateway;

/// <summary>Outcome of a charge: <see cref="ChargeApproved"/> or <see cref="ChargeDeclined"/>.</summary>
public abstract record ChargeResult;

public sealed record ChargeApproved(string PaymentId, Money Amount) : ChargeResult;

/// <summary><see cref="Code"/> is stable and machine-readable (e.g. <c>card-declined</c>); <see cref="Reason"/> is for humans.</summary>
public sealed record ChargeDeclined(string Code, string Reason) : ChargeResult;
