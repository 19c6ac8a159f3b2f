using System.Collections.Concurrent;
using DaprOrders.Contracts;

namespace DaprOrders.Chaos.Run;

/// <summary>
/// Reads every order's outcome through the public APIs and checks what must hold whatever happened on the way:
/// every order terminal; money (charges − refunds = completed totals, per currency, no order charged twice); stock
/// conserved per SKU; exactly one notification per order; an audit timeline with the events its outcome implies.
/// </summary>
public sealed class InvariantChecker(SystemApi api, ChaosPlan plan, int concurrency)
{
    /// <summary>Event types a timeline must show, and must not show, for each outcome (status/reason).</summary>
    private static readonly Dictionary<string, (string[] Required, string[] Forbidden)> Timelines = new(StringComparer.Ordinal)
    {
        ["Completed"] = (
            [EventTypes.OrderCreated, EventTypes.StockReserved, EventTypes.PaymentRequested, EventTypes.PaymentSucceeded, EventTypes.OrderCompleted, EventTypes.NotificationSent],
            [EventTypes.OrderCancelled, EventTypes.StockRejected, EventTypes.StockReleased, EventTypes.PaymentFailed, EventTypes.PaymentRefunded]),
        ["Cancelled/out-of-stock"] = (
            [EventTypes.OrderCreated, EventTypes.StockRejected, EventTypes.OrderCancelled, EventTypes.NotificationSent],
            [EventTypes.OrderCompleted, EventTypes.StockReserved, EventTypes.PaymentRequested, EventTypes.PaymentSucceeded, EventTypes.PaymentRefunded]),
        ["Cancelled/payment-declined"] = (
            [EventTypes.OrderCreated, EventTypes.StockReserved, EventTypes.PaymentRequested, EventTypes.PaymentFailed, EventTypes.OrderCancelled, EventTypes.StockReleased, EventTypes.NotificationSent],
            [EventTypes.OrderCompleted, EventTypes.PaymentSucceeded, EventTypes.PaymentRefunded]),
        ["Cancelled/deadline-exceeded"] = (
            [EventTypes.OrderCreated, EventTypes.OrderCancelled, EventTypes.NotificationSent],
            [EventTypes.OrderCompleted]),
    };

    public async Task<(IReadOnlyList<Invariant> Invariants, IReadOnlyDictionary<string, long> Counters)> CheckAsync(
        IReadOnlyList<string?> orderIds, CancellationToken cancellationToken = default)
    {
        var ids = orderIds.OfType<string>().ToList();
        var orders = new ConcurrentDictionary<string, OrderView>(StringComparer.Ordinal);
        using (var gate = new SemaphoreSlim(concurrency))
        {
            await Task.WhenAll(ids.Select(async id =>
            {
                await gate.WaitAsync(cancellationToken);
                try
                {
                    var order = await api.GetOrderAsync(id, cancellationToken);
                    var (charged, refunded) = await api.GetPaymentTransitionsAsync(id, cancellationToken);
                    var notifications = await api.CountNotificationsAsync(id, cancellationToken);
                    var timeline = await api.GetTimelineTypesAsync(id, cancellationToken);
                    orders[id] = new OrderView(order, charged, refunded, notifications, timeline);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        var views = orders.Values.ToList();
        var counters = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var group in views.GroupBy(v => v.Outcome, StringComparer.Ordinal))
        {
            counters["outcome." + group.Key] = group.Count();
        }

        var invariants = new List<Invariant>();
        var notTerminal = views.Where(v => v.Order is not { IsTerminal: true }).ToList();
        invariants.Add(Invariant.Equal("orders terminal (Completed or Cancelled)", ids.Count, views.Count - notTerminal.Count,
            notTerminal.Select(v => $"{v.Order?.OrderId} {v.Order?.Status}")));

        var wrongNotifications = views.Where(v => v.Order is { IsTerminal: true } && v.Notifications != 1).ToList();
        invariants.Add(Invariant.Equal("terminal orders with exactly one notification", views.Count - notTerminal.Count,
            views.Count - notTerminal.Count - wrongNotifications.Count, wrongNotifications.Select(v => $"{v.Order!.OrderId}: {v.Notifications}")));

        var doubleCharged = views.Where(v => v.Charged > 1 || v.Refunded > 1).ToList();
        invariants.Add(Invariant.Equal("orders charged or refunded more than once", 0, doubleCharged.Count,
            doubleCharged.Select(v => $"{v.Order?.OrderId}: charged {v.Charged}, refunded {v.Refunded}")));

        // A completed order is paid and kept; a cancelled one is never charged or charged and refunded.
        var inconsistent = views.Where(v => v.Order is { Status: "Completed" } ? (v.Charged, v.Refunded) != (1, 0) : v.Charged != v.Refunded).ToList();
        invariants.Add(Invariant.Equal("payment matches outcome (completed: charged once; cancelled: charged = refunded)", 0, inconsistent.Count,
            inconsistent.Select(v => $"{v.Order?.OrderId} {v.Outcome}: charged {v.Charged}, refunded {v.Refunded}")));

        var ledger = await api.GetLedgerAsync(cancellationToken);
        var completedTotals = views.Where(v => v.Order is { Status: "Completed" })
            .GroupBy(v => v.Order!.Currency, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(v => v.Order!.Total), StringComparer.Ordinal);
        var currencies = completedTotals.Keys.Union(ledger.Charged.Keys).Union(ledger.Refunded.Keys).Order(StringComparer.Ordinal).ToList();
        var net = currencies.ToDictionary(c => c, c => ledger.Charged.GetValueOrDefault(c) - ledger.Refunded.GetValueOrDefault(c), StringComparer.Ordinal);
        invariants.Add(Invariant.Check("charges − refunds = completed totals (per currency)",
            Format(currencies, completedTotals), Format(currencies, net), currencies.All(c => net[c] == completedTotals.GetValueOrDefault(c))));
        invariants.Add(Invariant.Check("gateway charges / refunds = orders charged / refunded",
            $"{views.Count(v => v.Charged > 0)} / {views.Count(v => v.Refunded > 0)}", $"{ledger.Charges} / {ledger.Refunds}",
            ledger.Charges == views.Count(v => v.Charged > 0) && ledger.Refunds == views.Count(v => v.Refunded > 0)));

        // A reservation is final unless the order is cancelled (Inventory does not act on order.completed), so what the
        // SKU holds for orders, reserved or (after the hold retention) committed, must be exactly the completed orders'
        // quantities: a cancelled order that kept its units, or a unit given back twice, breaks the equality.
        var completedBySku = views.Where(v => v.Order is { Status: "Completed" }).SelectMany(v => v.Order!.Lines)
            .GroupBy(l => l.Sku, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity), StringComparer.Ordinal);
        var notConserved = new List<string>();
        var wrongTaken = new List<string>();
        foreach (var (sku, initial) in plan.InitialStock)
        {
            var (available, reserved, committed) = await api.GetStockAsync(sku, cancellationToken);
            if (available + reserved + committed != initial)
            {
                notConserved.Add($"{sku}: {initial} ≠ {available}+{reserved}+{committed}");
            }

            if (reserved + committed != completedBySku.GetValueOrDefault(sku))
            {
                wrongTaken.Add($"{sku}: reserved {reserved} + committed {committed}, completed {completedBySku.GetValueOrDefault(sku)}");
            }
        }

        invariants.Add(Invariant.Equal("SKUs with initial = available + reserved + committed", plan.InitialStock.Count, plan.InitialStock.Count - notConserved.Count, notConserved));
        invariants.Add(Invariant.Equal("SKUs with reserved + committed = completed quantities", plan.InitialStock.Count, plan.InitialStock.Count - wrongTaken.Count, wrongTaken));

        var incomplete = views.Where(v => !TimelineComplete(v)).ToList();
        invariants.Add(Invariant.Equal("audit timelines complete for their outcome", views.Count, views.Count - incomplete.Count,
            incomplete.Select(v => $"{v.Order?.OrderId} {v.Outcome}: [{string.Join(", ", v.Timeline.Select(Short))}]")));
        counters["timelines.withRepeatedType"] = views.Count(v => v.Timeline.Count != v.Timeline.Distinct(StringComparer.Ordinal).Count());
        // Which types repeat: a repeat is a second event (another CloudEvent id) stating something already on the timeline.
        foreach (var type in views.SelectMany(v => v.Timeline.GroupBy(t => t, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key)))
        {
            counters[$"timelines.repeated.{Short(type)}"] = counters.GetValueOrDefault($"timelines.repeated.{Short(type)}") + 1;
        }
        return (invariants, counters);
    }

    private static bool TimelineComplete(OrderView view)
    {
        if (!Timelines.TryGetValue(view.Outcome, out var expected))
        {
            return false;
        }

        return expected.Required.All(view.Timeline.Contains) && !expected.Forbidden.Any(view.Timeline.Contains);
    }

    private static string Short(string type) => type.Replace("daprorders.", string.Empty, StringComparison.Ordinal).Replace(".v1", string.Empty, StringComparison.Ordinal);

    private static string Format(IEnumerable<string> currencies, IReadOnlyDictionary<string, long> amounts) =>
        string.Join(" ", currencies.Select(c => $"{c} {amounts.GetValueOrDefault(c)}"));

    private sealed record OrderView(OrderState? Order, int Charged, int Refunded, int Notifications, IReadOnlyList<string> Timeline)
    {
        public string Outcome => Order switch
        {
            null => "missing",
            { Status: "Cancelled" } => $"Cancelled/{Order.Reason}",
            _ => Order.Status,
        };
    }
}
