namespace DaprOrders.Ordering.Api;

/// <summary>
/// Body of <c>GET /orders/stats</c>: orders by current status over every order indexed, and how many that is.
/// </summary>
public sealed record OrderStats(IReadOnlyDictionary<string, long> Counts, long Total);
