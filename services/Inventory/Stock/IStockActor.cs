using Dapr.Actors;

namespace DaprOrders.Inventory.Stock;

/// <summary>
/// The stock of one SKU (actor type <c>Stock</c>, actor id = SKU), as callers reach it through a typed proxy. Every
/// change is idempotent per order: a repeated call within the hold retention gets the first answer. A reservation is
/// final unless released, so there is no commit. Each method takes at most one JSON argument, so apps in other languages
/// can call it too.
/// </summary>
public interface IStockActor : IActor
{
    Task<StockReservationResult> ReserveAsync(StockReservationRequest request, CancellationToken cancellationToken = default);

    Task<StockReleaseResult> ReleaseAsync(string orderId, CancellationToken cancellationToken = default);

    /// <summary>Sets the free units (an operator's stock count).</summary>
    Task<StockSnapshot> SetAvailableAsync(int available, CancellationToken cancellationToken = default);

    /// <summary>Lists the SKU with <paramref name="available"/> units unless an operator already did (demo seeding).</summary>
    Task<StockSnapshot> InitializeAsync(int available, CancellationToken cancellationToken = default);

    Task<StockSnapshot> GetAsync(CancellationToken cancellationToken = default);
}
