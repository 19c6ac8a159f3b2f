using DaprOrders.Contracts;
using DaprOrders.Ordering.Index;
using DaprOrders.Ordering.Orders;

namespace DaprOrders.Ordering.Api;

/// <summary>Body of a 202 for one submitted event.</summary>
public sealed record OrderAccepted(string OrderId, OrderStatus Status);

/// <summary>
/// Outcome of one event of a batch: <c>created</c>, <c>duplicate</c> (same source+id and payload as an existing order)
/// or <c>conflict</c> (same source+id, different payload; <see cref="OrderId"/> names the existing order).
/// </summary>
public sealed record BatchEntryResult(int Index, string OrderId, OrderStatus Status, string Location, string Outcome);

/// <summary>Body of <c>GET /orders</c>: the latest orders, newest first.</summary>
public sealed record OrderList(IReadOnlyList<OrderSummary> Orders, int Count);

/// <summary>
/// Body of <c>GET /orders/stats</c>: orders by current status over every order indexed, and how many that is.
/// </summary>
public sealed record OrderStats(IReadOnlyDictionary<string, long> Counts, long Total);

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
