namespace DaprOrders.Contracts;

/// <summary>
/// The body of <c>POST /orders</c> (CloudEvent type <c>daprorders.order.submitted.v1</c> when sent as a CloudEvent).
/// Every member is nullable because this is untrusted input: a missing field must become a named 400 error from
/// <see cref="OrderSubmissionValidator"/>, not a default value. Unknown fields are ignored.
/// </summary>
public sealed record OrderSubmission
{
    public string? CustomerId { get; init; }

    public string? Currency { get; init; }

    public IReadOnlyList<OrderSubmissionLine?>? Lines { get; init; }
}

/// <summary>
/// One requested line. <see cref="Quantity"/> is <see cref="long"/> (not <see cref="int"/>) so an oversized value is
/// reported as "out of range" by the validator instead of failing deserialization.
/// </summary>
public sealed record OrderSubmissionLine
{
    public string? Sku { get; init; }

    public long? Quantity { get; init; }

    /// <summary>Minor units of the submission currency.</summary>
    public long? UnitPrice { get; init; }
}
