using System.Text.Json.Serialization;

namespace DaprOrders.Inventory.Stock;

/// <summary>Argument of <c>Stock.ReserveAsync</c>.</summary>
public sealed record StockReservationRequest(string OrderId, int Quantity);

/// <summary>The answer to a reserve; a repeat for the same order gets the first answer.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReserveOutcome>))]
public enum ReserveOutcome
{
    [JsonStringEnumMemberName("reserved")]
    Reserved,

    [JsonStringEnumMemberName("insufficient")]
    Insufficient,

    /// <summary>The order's reservation was already released (the order was cancelled or rejected): nothing is held.</summary>
    [JsonStringEnumMemberName("released")]
    Released,

    /// <summary>The order's reservation was already committed.</summary>
    [JsonStringEnumMemberName("committed")]
    Committed,
}

/// <summary><see cref="Available"/> is the free stock when the answer was first given (for shortages).</summary>
public sealed record StockReservationResult(string Sku, string OrderId, ReserveOutcome Outcome, int Quantity, int Available)
{
    /// <summary>True when the units are (or were, for a committed order) held for the order.</summary>
    [JsonIgnore]
    public bool IsHeld => Outcome is ReserveOutcome.Reserved or ReserveOutcome.Committed;
}

/// <summary>Result of <c>Stock.ReleaseAsync</c>: <see cref="ReleasedQuantity"/> is 0 when nothing was held.</summary>
public sealed record StockReleaseResult(string Sku, string OrderId, int ReleasedQuantity, int Available);

/// <summary>Result of <c>Stock.CommitAsync</c>: <see cref="CommittedQuantity"/> is 0 when nothing was held.</summary>
public sealed record StockCommitResult(string Sku, string OrderId, int CommittedQuantity, HoldStatus? Status);

/// <summary>Levels of one SKU; <see cref="Listed"/> is false for a SKU no operator ever stocked.</summary>
public sealed record StockSnapshot(string Sku, int Available, int Reserved, int Committed, bool Listed);
