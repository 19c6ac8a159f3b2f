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
}

/// <summary><see cref="Available"/> is the free stock when the answer was first given (for shortages).</summary>
public sealed record StockReservationResult(string Sku, string OrderId, ReserveOutcome Outcome, int Quantity, int Available)
{
    /// <summary>True when the units are held for the order.</summary>
    [JsonIgnore]
    public bool IsHeld => Outcome == ReserveOutcome.Reserved;
}

/// <summary>
/// Result of <c>Stock.ReleaseAsync</c>: <see cref="ReleasedQuantity"/> is what the order's release gave back, by this
/// call or by an earlier one (a repeat answers alike); 0 when nothing was held.
/// </summary>
public sealed record StockReleaseResult(string Sku, string OrderId, int ReleasedQuantity, int Available);

/// <summary>
/// Levels of one SKU; <see cref="Listed"/> is false for a SKU no operator ever stocked. <see cref="Reserved"/> are units
/// held by orders within the hold retention (a cancellation gives them back), <see cref="Committed"/> units of older
/// reservations (final).
/// </summary>
public sealed record StockSnapshot(string Sku, int Available, int Reserved, int Committed, bool Listed);
