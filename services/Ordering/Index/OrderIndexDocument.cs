using DaprOrders.Contracts;
using DaprOrders.Ordering.Orders;

namespace DaprOrders.Ordering.Index;

/// <summary>One order in the recent-orders list.</summary>
public sealed record OrderSummary(
    string OrderId,
    string CustomerId,
    Money Total,
    OrderStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>
/// A status an order reached, for the index. <see cref="PreviousStatus"/> is null when the order was just created.
/// </summary>
public sealed record OrderIndexUpdate(OrderSummary Order, OrderStatus? PreviousStatus);

/// <summary>
/// The operations index, one document (<c>orders-index</c> in <c>orderstore</c>): the latest orders newest first,
/// bounded, plus order counts by status over every order ever indexed.
/// </summary>
public sealed record OrderIndexDocument(IReadOnlyList<OrderSummary> Recent, IReadOnlyDictionary<string, long> Counts, long TotalOrders)
{
    public static OrderIndexDocument Empty { get; } = new([], new Dictionary<string, long>(), 0);

    /// <summary>
    /// Applies updates in order. Statuses only move forward (a stale or repeated update is ignored), so re-applying
    /// a batch changes nothing for orders still in the list. For an order already pushed out of the list the
    /// counts move from <see cref="OrderIndexUpdate.PreviousStatus"/>; that is the one case a redelivered update
    /// could count twice, which is acceptable for an operations overview.
    /// </summary>
    public OrderIndexDocument Apply(IEnumerable<OrderIndexUpdate> updates, int capacity)
    {
        ArgumentNullException.ThrowIfNull(updates);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var recent = new List<OrderSummary>(Recent);
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < recent.Count; i++)
        {
            positions[recent[i].OrderId] = i;
        }

        var counts = new Dictionary<string, long>(Counts, StringComparer.Ordinal);
        var total = TotalOrders;
        var oldestKept = recent.Count >= capacity ? recent[^1].CreatedAt : DateTimeOffset.MinValue;
        var added = new List<OrderSummary>();

        foreach (var update in updates)
        {
            var order = update.Order;
            if (positions.TryGetValue(order.OrderId, out var index))
            {
                var known = index >= 0 ? recent[index] : added[~index];
                if (Rank(order.Status) <= Rank(known.Status))
                {
                    continue;
                }

                Move(counts, known.Status, order.Status);
                var updated = known with { Status = order.Status, UpdatedAt = order.UpdatedAt };
                if (index >= 0)
                {
                    recent[index] = updated;
                }
                else
                {
                    added[~index] = updated;
                }
            }
            else if (update.PreviousStatus is { } previous && order.CreatedAt < oldestKept)
            {
                // Pushed out of the list earlier: it is counted under its previous status.
                Move(counts, previous, order.Status);
            }
            else
            {
                // New, or its creation update has not arrived yet (it will be ignored as stale when it does).
                total++;
                counts[order.Status.ToString()] = Count(counts, order.Status) + 1;
                positions[order.OrderId] = ~added.Count;
                added.Add(order);
            }
        }

        var merged = added.Concat(recent)
            .OrderByDescending(o => o.CreatedAt)
            .ThenBy(o => o.OrderId, StringComparer.Ordinal)
            .Take(capacity)
            .ToList();
        return new OrderIndexDocument(merged, counts, total);
    }

    /// <summary>Counts for every status (zero included), in lifecycle order.</summary>
    public IReadOnlyDictionary<string, long> CountsByStatus() =>
        Enum.GetValues<OrderStatus>().ToDictionary(s => s.ToString(), s => Count(Counts, s), StringComparer.Ordinal);

    private static void Move(Dictionary<string, long> counts, OrderStatus from, OrderStatus to)
    {
        counts[from.ToString()] = Math.Max(0, Count(counts, from) - 1);
        counts[to.ToString()] = Count(counts, to) + 1;
    }

    private static long Count(IReadOnlyDictionary<string, long> counts, OrderStatus status) =>
        counts.TryGetValue(status.ToString(), out var count) ? count : 0;

    private static int Rank(OrderStatus status) => status switch
    {
        OrderStatus.Submitted => 0,
        OrderStatus.AwaitingPayment => 1,
        _ => 2,
    };
}
