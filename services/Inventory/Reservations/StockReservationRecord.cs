using System.Text.Json.Serialization;
using DaprOrders.Contracts;

namespace DaprOrders.Inventory.Reservations;

[JsonConverter(typeof(JsonStringEnumConverter<ReservationStatus>))]
public enum ReservationStatus
{
    /// <summary>Every line is held by the Stock actors.</summary>
    Reserved,

    /// <summary>At least one line was short; whatever was held has been (or is being) given back.</summary>
    Rejected,

    /// <summary>The order was cancelled after it was reserved; the stock is back.</summary>
    Released,

    /// <summary>The order completed; the stock left for good.</summary>
    Committed,

    /// <summary>Tombstone: <c>order.cancelled</c> came before <c>order.created</c>, so that order must never reserve.</summary>
    CancelledBeforeReservation,
}

public sealed record ReservationHistoryEntry(ReservationStatus Status, DateTimeOffset At);

/// <summary>
/// The per-order reservation record in <c>statestore</c> (key <c>reservation-{orderId}</c>). Written first-write and
/// then replaced with its ETag, so concurrent deliveries agree on one outcome. <see cref="Lines"/> is the merged,
/// sorted plan (empty for the tombstone).
/// </summary>
public sealed record StockReservationRecord(
    string OrderId,
    ReservationStatus Status,
    IReadOnlyList<StockLine> Lines,
    IReadOnlyList<StockShortage> Shortages,
    IReadOnlyList<ReservationHistoryEntry> History)
{
    public static string KeyFor(string orderId) => "reservation-" + orderId;

    public static StockReservationRecord Decided(ReservationPlan plan, ReservationDecision decision, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(decision);
        var status = decision.Reserved ? ReservationStatus.Reserved : ReservationStatus.Rejected;
        return new StockReservationRecord(plan.OrderId, status, plan.Lines, decision.Shortages, [new ReservationHistoryEntry(status, now)]);
    }

    public static StockReservationRecord Tombstone(string orderId, DateTimeOffset now) =>
        new(orderId, ReservationStatus.CancelledBeforeReservation, [], [],
            [new ReservationHistoryEntry(ReservationStatus.CancelledBeforeReservation, now)]);

    /// <summary>Only Reserved moves on: to Released (cancelled) or Committed (completed).</summary>
    public bool CanMoveTo(ReservationStatus next) =>
        Status == ReservationStatus.Reserved && next is ReservationStatus.Released or ReservationStatus.Committed;

    public StockReservationRecord MoveTo(ReservationStatus next, DateTimeOffset now)
    {
        if (!CanMoveTo(next))
        {
            throw new InvalidOperationException($"Reservation of order {OrderId} cannot move from {Status} to {next}.");
        }

        return this with { Status = next, History = [.. History, new ReservationHistoryEntry(next, now)] };
    }

    /// <summary>
    /// The lines whose units an order held: every line once reserved; for a rejection only the lines before the first
    /// shortage (the coordinator tries lines in plan order and stops at the first one it cannot hold).
    /// </summary>
    public IReadOnlyList<StockLine> HeldLines() => Status switch
    {
        ReservationStatus.Rejected when Shortages.Count > 0 =>
            Lines.TakeWhile(line => !string.Equals(line.Sku, Shortages[0].Sku, StringComparison.Ordinal)).ToList(),
        ReservationStatus.Rejected or ReservationStatus.CancelledBeforeReservation => [],
        _ => Lines,
    };

    /// <summary>When the record entered <paramref name="status"/> (events republished later keep the original time).</summary>
    public DateTimeOffset EnteredAt(ReservationStatus status) =>
        History.LastOrDefault(h => h.Status == status)?.At ?? History[^1].At;
}
