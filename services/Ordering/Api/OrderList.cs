using DaprOrders.Ordering.Index;

namespace DaprOrders.Ordering.Api;

/// <summary>Body of <c>GET /orders</c>: the latest orders, newest first.</summary>
public sealed record OrderList(IReadOnlyList<OrderSummary> Orders, int Count);
