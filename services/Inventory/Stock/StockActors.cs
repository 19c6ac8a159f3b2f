using DaprOrders.Sidecar;

namespace DaprOrders.Inventory.Stock;

/// <summary>
/// Calls Stock actors through the sidecar's actor API, so daprd's placement decides which replica hosts a SKU and
/// its per-actor lock serialises the calls, whichever replica handles the event.
/// </summary>
public sealed class StockActors(DaprSidecarClient sidecar)
{
    public async Task<StockReservationResult> ReserveAsync(string sku, string orderId, int quantity, CancellationToken cancellationToken) =>
        await sidecar.InvokeActorMethodAsync(StockActor.TypeName, sku, nameof(StockActor.ReserveAsync),
            new StockReservationRequest(orderId, quantity), InventoryJsonContext.Default.StockReservationRequest,
            InventoryJsonContext.Default.StockReservationResult, cancellationToken)
        ?? throw EmptyAnswer(sku, nameof(StockActor.ReserveAsync));

    public async Task<StockReleaseResult> ReleaseAsync(string sku, string orderId, CancellationToken cancellationToken) =>
        await sidecar.InvokeActorMethodAsync(StockActor.TypeName, sku, nameof(StockActor.ReleaseAsync), orderId,
            InventoryJsonContext.Default.String, InventoryJsonContext.Default.StockReleaseResult, cancellationToken)
        ?? throw EmptyAnswer(sku, nameof(StockActor.ReleaseAsync));

    public async Task<StockCommitResult> CommitAsync(string sku, string orderId, CancellationToken cancellationToken) =>
        await sidecar.InvokeActorMethodAsync(StockActor.TypeName, sku, nameof(StockActor.CommitAsync), orderId,
            InventoryJsonContext.Default.String, InventoryJsonContext.Default.StockCommitResult, cancellationToken)
        ?? throw EmptyAnswer(sku, nameof(StockActor.CommitAsync));

    public async Task<StockSnapshot> SetAvailableAsync(string sku, int available, CancellationToken cancellationToken) =>
        await sidecar.InvokeActorMethodAsync(StockActor.TypeName, sku, nameof(StockActor.SetAvailableAsync), available,
            InventoryJsonContext.Default.Int32, InventoryJsonContext.Default.StockSnapshot, cancellationToken)
        ?? throw EmptyAnswer(sku, nameof(StockActor.SetAvailableAsync));

    public async Task<StockSnapshot> InitializeAsync(string sku, int available, CancellationToken cancellationToken) =>
        await sidecar.InvokeActorMethodAsync(StockActor.TypeName, sku, nameof(StockActor.InitializeAsync), available,
            InventoryJsonContext.Default.Int32, InventoryJsonContext.Default.StockSnapshot, cancellationToken)
        ?? throw EmptyAnswer(sku, nameof(StockActor.InitializeAsync));

    public async Task<StockSnapshot> GetAsync(string sku, CancellationToken cancellationToken) =>
        await sidecar.InvokeActorMethodAsync(StockActor.TypeName, sku, nameof(StockActor.GetAsync),
            InventoryJsonContext.Default.StockSnapshot, cancellationToken)
        ?? throw EmptyAnswer(sku, nameof(StockActor.GetAsync));

    private static DaprApiException EmptyAnswer(string sku, string method) =>
        new($"Stock actor '{sku}' answered {method} with an empty body.");
}
