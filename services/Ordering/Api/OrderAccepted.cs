using DaprOrders.Ordering.Orders;

namespace DaprOrders.Ordering.Api;

/// <summary>Body of a 202 for one submitted event.</summary>
public sealed record OrderAccepted(string OrderId, OrderStatus Status);
