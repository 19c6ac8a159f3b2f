using Dapr.Actors.Runtime;
using DaprOrders.Inventory.Telemetry;

namespace DaprOrders.Inventory.Stock;

/// <summary>
/// One actor per SKU (actor id = SKU). daprd runs one turn at a time per SKU, so every read-modify-write of a SKU's
/// stock happens here and nowhere else; the actor runtime saves the state once per turn, in one transaction.
/// </summary>
[Actor(TypeName = TypeName)]
public sealed class StockActor(ActorHost host, InventoryMetrics metrics) : Actor(host), IStockActor
{
    /// <summary>The actor type name registered with daprd.</summary>
    public const string TypeName = "Stock";

    private const string StateName = "stock";

    private string Sku => Id.GetId();

    public Task<StockReservationResult> ReserveAsync(StockReservationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ChangeAsync(level => level.Reserve(Sku, request.OrderId, request.Quantity), cancellationToken);
    }

    public Task<StockReleaseResult> ReleaseAsync(string orderId, CancellationToken cancellationToken = default) =>
        ChangeAsync(level => level.Release(Sku, orderId), cancellationToken);

    public Task<StockCommitResult> CommitAsync(string orderId, CancellationToken cancellationToken = default) =>
        ChangeAsync(level => level.Commit(Sku, orderId), cancellationToken);

    public Task<StockSnapshot> SetAvailableAsync(int available, CancellationToken cancellationToken = default) =>
        ChangeAsync(level =>
        {
            level.SetAvailable(available);
            return level.Snapshot(Sku);
        }, cancellationToken);

    /// <summary>Lists the SKU with <paramref name="available"/> units unless an operator already did (demo seeding).</summary>
    public Task<StockSnapshot> InitializeAsync(int available, CancellationToken cancellationToken = default) =>
        ChangeAsync(level =>
        {
            level.InitializeIfUnlisted(available);
            return level.Snapshot(Sku);
        }, cancellationToken);

    public async Task<StockSnapshot> GetAsync(CancellationToken cancellationToken = default)
    {
        var level = await LoadAsync(cancellationToken);
        Observe(level);
        return level.Snapshot(Sku);
    }

    private async Task<T> ChangeAsync<T>(Func<StockLevel, T> change, CancellationToken cancellationToken)
    {
        var level = await LoadAsync(cancellationToken);
        var version = level.Version;
        var result = change(level);
        if (level.Version != version)
        {
            await StateManager.SetStateAsync(StateName, level, cancellationToken);
        }

        Observe(level);
        return result;
    }

    private void Observe(StockLevel level)
    {
        if (level.Listed)
        {
            metrics.StockObserved(Sku, level.Available, level.Reserved);
        }
    }

    private async Task<StockLevel> LoadAsync(CancellationToken cancellationToken)
    {
        var stored = await StateManager.TryGetStateAsync<StockLevel>(StateName, cancellationToken);
        return stored.HasValue && stored.Value is not null ? stored.Value : new StockLevel();
    }
}
