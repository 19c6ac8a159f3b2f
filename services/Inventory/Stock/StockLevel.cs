using System.Text.Json.Serialization;

namespace DaprOrders.Inventory.Stock;

/// <summary>What a Stock actor remembers about one order: the answer it gave and where the units went.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<HoldStatus>))]
public enum HoldStatus
{
    [JsonStringEnumMemberName("reserved")]
    Reserved,

    [JsonStringEnumMemberName("committed")]
    Committed,

    [JsonStringEnumMemberName("released")]
    Released,

    /// <summary>The reservation was refused for lack of stock; a repeat gets the same answer.</summary>
    [JsonStringEnumMemberName("refused")]
    Refused,
}

/// <summary>One order's claim on a SKU. <see cref="AvailableAtRefusal"/> is kept so a repeated reserve answers alike.</summary>
public sealed record StockHold(int Quantity, HoldStatus Status, int AvailableAtRefusal = 0);

/// <summary>
/// The stock of one SKU and the per-order ledger that makes every operation idempotent. Pure logic: the Stock actor
/// loads it, calls one method per turn and saves it, so concurrency is the actor runtime's business, not this class's.
/// Invariants: <see cref="Available"/>, <see cref="Reserved"/> and <see cref="Committed"/> are never negative and
/// <see cref="Reserved"/> is the sum of the quantities of holds in status <see cref="HoldStatus.Reserved"/>.
/// </summary>
public sealed class StockLevel
{
    /// <summary>Units free to reserve.</summary>
    public int Available { get; set; }

    /// <summary>Units held for orders that are not completed yet.</summary>
    public int Reserved { get; set; }

    /// <summary>Units that left for good with completed orders.</summary>
    public int Committed { get; set; }

    /// <summary>True once an operator set the level: an unlisted SKU is unknown to the public API.</summary>
    public bool Listed { get; set; }

    /// <summary>Per order id. Never pruned, so any redelivery, however late, gets the first answer.</summary>
    public Dictionary<string, StockHold> Holds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Bumped by every change, so the actor saves only turns that changed something.</summary>
    public long Version { get; set; }

    public StockReservationResult Reserve(string sku, string orderId, int quantity)
    {
        ArgumentException.ThrowIfNullOrEmpty(orderId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);

        if (Holds.TryGetValue(orderId, out var hold))
        {
            return hold.Status switch
            {
                HoldStatus.Reserved => Result(ReserveOutcome.Reserved, hold.Quantity, Available),
                HoldStatus.Committed => Result(ReserveOutcome.Committed, hold.Quantity, Available),
                HoldStatus.Released => Result(ReserveOutcome.Released, hold.Quantity, Available),
                _ => Result(ReserveOutcome.Insufficient, hold.Quantity, hold.AvailableAtRefusal),
            };
        }

        if (Available < quantity)
        {
            Holds[orderId] = new StockHold(quantity, HoldStatus.Refused, Available);
            Version++;
            return Result(ReserveOutcome.Insufficient, quantity, Available);
        }

        Available -= quantity;
        Reserved += quantity;
        Holds[orderId] = new StockHold(quantity, HoldStatus.Reserved);
        Version++;
        return Result(ReserveOutcome.Reserved, quantity, Available);

        StockReservationResult Result(ReserveOutcome outcome, int units, int available) =>
            new(sku, orderId, outcome, units, available);
    }

    /// <summary>
    /// Gives a reservation back. For an order this SKU never saw it leaves a released marker, so a reserve that arrives
    /// after the cancellation (a late or redelivered order.created) is refused instead of holding stock forever.
    /// </summary>
    public StockReleaseResult Release(string sku, string orderId)
    {
        ArgumentException.ThrowIfNullOrEmpty(orderId);
        if (!Holds.TryGetValue(orderId, out var hold))
        {
            Holds[orderId] = new StockHold(0, HoldStatus.Released);
            Version++;
            return new StockReleaseResult(sku, orderId, 0, Available);
        }

        if (hold.Status != HoldStatus.Reserved)
        {
            // Released twice, committed (gone for good) or refused (nothing held): nothing to give back.
            return new StockReleaseResult(sku, orderId, 0, Available);
        }

        Available += hold.Quantity;
        Reserved -= hold.Quantity;
        Holds[orderId] = hold with { Status = HoldStatus.Released };
        Version++;
        return new StockReleaseResult(sku, orderId, hold.Quantity, Available);
    }

    /// <summary>The reservation leaves for good; only a held reservation can be committed.</summary>
    public StockCommitResult Commit(string sku, string orderId)
    {
        ArgumentException.ThrowIfNullOrEmpty(orderId);
        if (!Holds.TryGetValue(orderId, out var hold) || hold.Status != HoldStatus.Reserved)
        {
            return new StockCommitResult(sku, orderId, 0, hold?.Status);
        }

        Reserved -= hold.Quantity;
        Committed += hold.Quantity;
        Holds[orderId] = hold with { Status = HoldStatus.Committed };
        Version++;
        return new StockCommitResult(sku, orderId, hold.Quantity, HoldStatus.Committed);
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
