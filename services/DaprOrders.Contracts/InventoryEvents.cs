namespace DaprOrders.Contracts;

/// <summary>A quantity of one SKU reserved or released.</summary>
public sealed record StockLine(string Sku, int Quantity);

/// <summary>A SKU that could not be reserved: <see cref="Requested"/> units wanted, <see cref="Available"/> on hand.</summary>
public sealed record StockShortage(string Sku, int Requested, int Available);

/// <summary><c>daprorders.stock.reserved.v1</c> on <c>inventory</c>: every line of the order is held.</summary>
public sealed record StockReserved(string OrderId, IReadOnlyList<StockLine> Lines, DateTimeOffset ReservedAt);

/// <summary><c>daprorders.stock.rejected.v1</c> on <c>inventory</c>: nothing was reserved (all-or-nothing).</summary>
public sealed record StockRejected(string OrderId, IReadOnlyList<StockShortage> Shortages, DateTimeOffset RejectedAt);

/// <summary><c>daprorders.stock.released.v1</c> on <c>inventory</c>: a reservation was given back after cancellation.</summary>
public sealed record StockReleased(string OrderId, IReadOnlyList<StockLine> Lines, DateTimeOffset ReleasedAt);
