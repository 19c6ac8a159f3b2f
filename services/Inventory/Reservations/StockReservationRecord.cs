using System.Text.Json.Serialization;
using DaprOrders.Contracts;

namespace DaprOrders.Inventory.Reservations;

[JsonConverter(typeof(JsonStringEnumConverter<ReservationStatus>))]
public enum ReservationStatus
{
    /// <summary>
    /// Written (first-write) before the Stock actors are asked: the order's lines are this delivery's to reserve. The
    /// actors' per-order answers are the decision: every line held ⇒ reserved, final unless cancelled.
    /// </summary>
    Claimed,

    /// <summary>At least one line was short; whatever was held has been (or is being) given back.</summary>
    Rejected,

    /// <summary>The order was cancelled after it was claimed; whatever it held is back.</summary>
    Released,

    /// <summary>Tombstone: <c>order.cancelled</c> came before <c>order.created</c>, so that order must never reserve.</summary>
    CancelledBeforeReservation,

    /// <summary>Only in records written before the claim came first: every line was held. Handled like a claim.</summary>
    Reserved,

    /// <summary>Only in records written before reservations became final unless cancelled: the order completed.</summary>
    Committed,
}

public sealed record ReservationHistoryEntry(ReservationStatus Status, DateTimeOffset At);

/// <summary>
/// The per-order reservation record in <c>statestore</c> (key <c>reservation-{orderId}</c>). Created first-write (the
/// claim, or the tombstone) and then replaced with its ETag, so concurrent deliveries agree on one outcome.
/// <see cref="Lines"/> is the merged, sorted plan (empty for the tombstone). <see cref="Reannounced"/>: a repeated
/// <c>order.created</c> found the claim or the rejection and announced the decision again, so later repeats neither ask
/// the actors nor announce (docs/saga.md, "Only the first repeat announces again"); a move clears it.
/// </summary>
public sealed record StockReservationRecord(
    string OrderId,
    ReservationStatus Status,
    IReadOnlyList<StockLine> Lines,
    IReadOnlyList<StockShortage> Shortages,
    IReadOnlyList<ReservationHistoryEntry> History,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Reannounced = false)
{
    public static string KeyFor(string orderId) => "reservation-" + orderId;

    public static StockReservationRecord Claim(ReservationPlan plan, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new StockReservationRecord(plan.OrderId, ReservationStatus.Claimed, plan.Lines, [],
            [new ReservationHistoryEntry(ReservationStatus.Claimed, now)]);
    }

    public static StockReservationRecord Tombstone(string orderId, DateTimeOffset now) =>
        new(orderId, ReservationStatus.CancelledBeforeReservation, [], [],
            [new ReservationHistoryEntry(ReservationStatus.CancelledBeforeReservation, now)]);

    /// <summary>Only a claim moves on: to Rejected (a line was short) or Released (cancelled).</summary>
    public bool CanMoveTo(ReservationStatus next) =>
        IsClaim && next is ReservationStatus.Rejected or ReservationStatus.Released;

    /// <summary>A claim, or an earlier version's record of a reservation (every line held).</summary>
    public bool IsClaim => Status is ReservationStatus.Claimed or ReservationStatus.Reserved;

    /// <summary>The claim rejected with <paramref name="shortages"/> (the first one is the line that stopped the plan).</summary>
    public StockReservationRecord Reject(IReadOnlyList<StockShortage> shortages, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(shortages);
        return MoveTo(ReservationStatus.Rejected, now) with { Shortages = shortages };
    }

    public StockReservationRecord MoveTo(ReservationStatus next, DateTimeOffset now)
    {
        if (!CanMoveTo(next))
        {
            throw new InvalidOperationException($"Reservation of order {OrderId} cannot move from {Status} to {next}.");
        }

        return this with { Status = next, History = [.. History, new ReservationHistoryEntry(next, now)], Reannounced = false };
    }

    /// <summary>
    /// The lines whose units an order may hold: every line of a claim; for a rejection only the lines before the first
    /// shortage (the coordinator tries lines in plan order and stops at the first one it cannot hold).
    /// </summary>
    public IReadOnlyList<StockLine> HeldLines() => Status switch
    {
        ReservationStatus.Rejected when Shortages.Count > 0 =>
            Lines.TakeWhile(line => !string.Equals(line.Sku, Shortages[0].Sku, StringComparison.Ordinal)).ToList(),
        ReservationStatus.Rejected or ReservationStatus.CancelledBeforeReservation or ReservationStatus.Committed => [],
        _ => Lines,
    };

    /// <summary>When the record entered <paramref name="status"/> (events republished later keep the original time).</summary>
    public DateTimeOffset EnteredAt(ReservationStatus status) =>
        History.LastOrDefault(h => h.Status == status)?.At ?? History[^1].At;
}
