using DaprOrders.Ordering.Orders;

namespace DaprOrders.Ordering.Api;

/// <summary>
/// Outcome of one event of a batch: <c>created</c>, <c>duplicate</c> (same source+id and payload as an existing order)
/// or <c>conflict</c> (same source+id, different payload; <see cref="OrderId"/> names the existing order).
/// </summary>
public sealed record BatchEntryResult(int Index, string OrderId, OrderStatus Status, string Location, string Outcome);
