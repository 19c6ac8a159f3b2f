namespace DaprOrders.Contracts;

/// <summary><c>daprorders.payment.succeeded.v1</c> on <c>payments</c>: the customer was charged.</summary>
public sealed record PaymentSucceeded(string OrderId, string PaymentId, Money Amount, DateTimeOffset ChargedAt);

/// <summary>
/// <c>daprorders.payment.failed.v1</c> on <c>payments</c>: the charge was declined. <see cref="Reason"/> is for
/// humans; <see cref="DeclineCode"/> is a stable machine code (e.g. <c>insufficient-funds</c>).
/// </summary>
public sealed record PaymentFailed(string OrderId, string Reason, string DeclineCode, DateTimeOffset FailedAt);

/// <summary><c>daprorders.payment.refunded.v1</c> on <c>payments</c>: a charge was returned after cancellation.</summary>
public sealed record PaymentRefunded(string OrderId, string PaymentId, Money Amount, DateTimeOffset RefundedAt);
