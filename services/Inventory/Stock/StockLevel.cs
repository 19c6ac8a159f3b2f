using System.Text.Json.Serialization;

namespace DaprOrders.Inventory.Stock;

/// <summary>What a Stock actor remembers about one order: the answer it gave and where the units went.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<HoldStatus>))]
public enum HoldStatus
{
    [JsonStringEnumMemberName("reserved")]
    Reserved,

    [JsonStringEnumMemberName("released")]
    Released,

    /// <summary>The reservation was refused for lack of stock; a repeat gets the same answer.</summary>
    [JsonStringEnumMemberName("refused")]
    Refused,

    /// <summary>
    /// Only in state written before reservations became final unless cancelled (its units are in
    /// <see cref="StockLevel.Committed"/> already). Such holds have no time, so the first turn prunes them.
    /// </summary>
    [JsonStringEnumMemberName("committed")]
    Committed,
}

/// <summary>
/// One order's claim on a SKU, made at <see cref="At"/>. <see cref="AvailableAtRefusal"/> is kept so a repeated reserve
/// answers alike.
/// </summary>
public sealed record StockHold(int Quantity, HoldStatus Status, DateTimeOffset At, int AvailableAtRefusal = 0);

/// <summary>
/// The stock of one SKU and the per-order ledger that makes every operation idempotent. Pure logic: the Stock actor
/// loads it, calls one method per turn and saves it, so concurrency is the actor runtime's business, not this class's.
/// <para>
/// A reservation is final unless the order is cancelled: Inventory is not told when an order completes. The ledger
/// keeps each order's hold for the hold retention (<see cref="Prune"/>), long enough for every redelivery and every
/// cancellation of the saga; then a held reservation counts as <see cref="Committed"/> and the hold is forgotten, so the
/// state stays bounded by the orders of one retention period.
/// </para>
/// Invariants: <see cref="Available"/>, <see cref="Reserved"/> and <see cref="Committed"/> are never negative and
/// <see cref="Reserved"/> is the sum of the quantities of holds in status <see cref="HoldStatus.Reserved"/>.
/// </summary>
public sealed class StockLevel
{
    /// <summary>Units free to reserve.</summary>
    public int Available { get; set; }

    /// <summary>Units held by orders the ledger still remembers: a cancellation of the order gives them back.</summary>
    public int Reserved { get; set; }

    /// <summary>Units of reservations older than the hold retention: final, the ledger forgot their orders.</summary>
    public int Committed { get; set; }

    /// <summary>True once an operator set the level: an unlisted SKU is unknown to the public API.</summary>
    public bool Listed { get; set; }

    /// <summary>Per order id, for the hold retention (<see cref="Prune"/>).</summary>
    public Dictionary<string, StockHold> Holds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Bumped by every change, so the actor saves only turns that changed something.</summary>
    public long Version { get; set; }

    public StockReservationResult Reserve(string sku, string orderId, int quantity, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(orderId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);

        if (Holds.TryGetValue(orderId, out var hold))
        {
            return hold.Status switch
            {
                HoldStatus.Reserved or HoldStatus.Committed => Result(ReserveOutcome.Reserved, hold.Quantity, Available),
                HoldStatus.Released => Result(ReserveOutcome.Released, hold.Quantity, Available),
                _ => Result(ReserveOutcome.Insufficient, hold.Quantity, hold.AvailableAtRefusal),
            };
        }

        if (Available < quantity)
        {
            Holds[orderId] = new StockHold(quantity, HoldStatus.Refused, now, Available);
            Version++;
            return Result(ReserveOutcome.Insufficient, quantity, Available);
        }

        Available -= quantity;
        Reserved += quantity;
        Holds[orderId] = new StockHold(quantity, HoldStatus.Reserved, now);
        Version++;
        return Result(ReserveOutcome.Reserved, quantity, Available);

        StockReservationResult Result(ReserveOutcome outcome, int units, int available) =>
            new(sku, orderId, outcome, units, available);
    }

    /// <summary>
    /// Gives a reservation back, once; a repeat answers the units the first release gave back, so a redelivered
    /// cancellation announces the same release. For an order this SKU never saw it leaves a released marker, so a
    /// reserve that arrives after the cancellation (a late or racing order.created) is refused instead of holding stock.
    /// </summary>
    public StockReleaseResult Release(string sku, string orderId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(orderId);
        if (!Holds.TryGetValue(orderId, out var hold))
        {
            Holds[orderId] = new StockHold(0, HoldStatus.Released, now);
            Version++;
            return new StockReleaseResult(sku, orderId, 0, Available);
        }

        switch (hold.Status)
        {
            case HoldStatus.Released:
                return new StockReleaseResult(sku, orderId, hold.Quantity, Available);
            case HoldStatus.Refused or HoldStatus.Committed:
                // Nothing is held; the refusal stays the order's answer to a repeated reserve.
                return new StockReleaseResult(sku, orderId, 0, Available);
        }

        Available += hold.Quantity;
        Reserved -= hold.Quantity;
        Holds[orderId] = hold with { Status = HoldStatus.Released };
        Version++;
        return new StockReleaseResult(sku, orderId, hold.Quantity, Available);
    }

    /// <summary>
    /// Forgets the holds made at or before <paramref name="now"/> − <paramref name="retention"/>: a held reservation's
    /// units become <see cref="Committed"/> (final), a release or refusal is simply dropped. True when anything changed.
    /// </summary>
    public bool Prune(DateTimeOffset now, TimeSpan retention)
    {
        var horizon = now - retention;
        var expired = Holds.Where(h => h.Value.At <= horizon).ToList();
        foreach (var (orderId, hold) in expired)
        {
            if (hold.Status == HoldStatus.Reserved)
            {
                Reserved -= hold.Quantity;
                Committed += hold.Quantity;
            }

            Holds.Remove(orderId);
        }

        if (expired.Count > 0)
        {
            Version++;
        }

        return expired.Count > 0;
    }

    /// <summary>Sets the free units (an operator's stock count); reservations already held are unaffected.</summary>
    public void SetAvailable(int available)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(available);
        if (Available == available && Listed)
        {
            return;
        }

        Available = available;
        Listed = true;
        Version++;
    }

    /// <summary>Lists the SKU with <paramref name="available"/> units unless it is listed already (demo seeding).</summary>
    public bool InitializeIfUnlisted(int available)
    {
        if (Listed)
        {
            return false;
        }

        SetAvailable(available);
        return true;
    }

    public StockSnapshot Snapshot(string sku) => new(sku, Available, Reserved, Committed, Listed);
}
