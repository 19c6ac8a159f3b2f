using DaprOrders.Contracts;

namespace DaprOrders.Ordering.Api;

/// <summary>
/// Documents the structured-mode request of <c>POST /orders</c> in OpenAPI (the endpoint reads the body itself, in
/// any of the three CloudEvents modes).
/// </summary>
public sealed record SubmitOrderCloudEvent(
    string Specversion,
    string Id,
    string Source,
    string Type,
    DateTimeOffset? Time,
    string? Datacontenttype,
    OrderSubmission Data);
