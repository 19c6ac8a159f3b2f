using DaprOrders.Contracts;
using DaprOrders.Inventory.Stock;

namespace DaprOrders.Inventory.Reservations;

/// <summary>
/// The lines of an order as the coordinator reserves them: one line per SKU (duplicates merged) in ordinal SKU
/// order. A fixed order means two orders competing for the same SKUs always meet at the same first SKU, and a
/// redelivered event repeats exactly the same calls.
/// </summary>
public sealed class ReservationPlan
{
    private ReservationPlan(string orderId, IReadOnlyList<StockLine> lines)
    {
        OrderId = orderId;
        Lines = lines;
    }

    public string OrderId { get; }

    public IReadOnlyList<StockLine> Lines { get; }

    /// <summary>Merges and sorts the lines; throws <see cref="ArgumentException"/> for lines that could never be reserved.</summary>
    public static ReservationPlan For(string orderId, IEnumerable<OrderLine> lines)
    {
        ArgumentException.ThrowIfNullOrEmpty(orderId);
        ArgumentNullException.ThrowIfNull(lines);
        var merged = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            if (line is null || string.IsNullOrEmpty(line.Sku) || line.Quantity <= 0)
            {
                throw new ArgumentException($"Order {orderId} has a line without SKU or with a non-positive quantity.", nameof(lines));
            }

            merged[line.Sku] = checked(merged.GetValueOrDefault(line.Sku) + line.Quantity);
        }

        if (merged.Count == 0)
        {
            throw new ArgumentException($"Order {orderId} has no lines.", nameof(lines));
        }

        return new ReservationPlan(orderId, merged.Select(pair => new StockLine(pair.Key, pair.Value)).ToList());
    }

    /// <summary>
    /// Decides from the answers so far (in plan order; the coordinator stops at the first line not held): every line
    /// held ⇒ reserved; a line already released for the order ⇒ cancelled (its cancellation got there first); otherwise
    /// rejected with the shortages of the lines not held.
    /// </summary>
    public ReservationDecision Decide(IReadOnlyList<StockReservationResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Any(r => r.Outcome == ReserveOutcome.Released))
        {
            return ReservationDecision.Cancel();
        }

        var shortages = results.Where(r => !r.IsHeld)
            .Select(r => new StockShortage(r.Sku, r.Quantity, r.Available))
            .ToList();
        if (shortages.Count == 0 && results.Count == Lines.Count)
        {
            return ReservationDecision.Reserve(Lines);
        }

        if (shortages.Count == 0)
        {
            throw new InvalidOperationException($"Order {OrderId}: only {results.Count} of {Lines.Count} lines were tried and all are held.");
        }

        return ReservationDecision.Reject(shortages);
    }

    /// <summary>True once <paramref name="result"/> makes further lines pointless (all-or-nothing).</summary>
    public static bool StopsPlan(StockReservationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return !result.IsHeld;
    }
}

public enum ReservationOutcome
{
    /// <summary>Every line is held.</summary>
    Reserved,

    /// <summary>A line was short.</summary>
    Rejected,

    /// <summary>A line was already released for the order: it was cancelled while this delivery reserved.</summary>
    Cancelled,
}

/// <summary>The coordinator's verdict from the Stock actors' answers.</summary>
public sealed record ReservationDecision(ReservationOutcome Outcome, IReadOnlyList<StockLine> Lines, IReadOnlyList<StockShortage> Shortages)
{
    public static ReservationDecision Reserve(IReadOnlyList<StockLine> lines) => new(ReservationOutcome.Reserved, lines, []);

    public static ReservationDecision Reject(IReadOnlyList<StockShortage> shortages) => new(ReservationOutcome.Rejected, [], shortages);

    public static ReservationDecision Cancel() => new(ReservationOutcome.Cancelled, [], []);
}
