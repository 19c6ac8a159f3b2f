using DaprOrders.Inventory.Telemetry;
using DaprOrders.Sidecar.Actors;

namespace DaprOrders.Inventory.Stock;

/// <summary>
/// One actor per SKU (actor id = SKU). daprd runs one turn at a time per SKU, so every read-modify-write of a SKU's
/// stock happens here and nowhere else; the state is saved once per turn by the actor host.
/// </summary>
public sealed class StockActor(InventoryMetrics metrics) : Actor
{
    /// <summary>The actor type name registered with daprd.</summary>
    public const string TypeName = "Stock";

    private const string StateName = "stock";

    public Task<StockReservationResult> ReserveAsync(StockReservationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ChangeAsync(level => level.Reserve(Id, request.OrderId, request.Quantity), cancellationToken);
    }

    public Task<StockReleaseResult> ReleaseAsync(string orderId, CancellationToken cancellationToken) =>
        ChangeAsync(level => level.Release(Id, orderId), cancellationToken);

    public Task<StockCommitResult> CommitAsync(string orderId, CancellationToken cancellationToken) =>
        ChangeAsync(level => level.Commit(Id, orderId), cancellationToken);

    public Task<StockSnapshot> SetAvailableAsync(int available, CancellationToken cancellationToken) =>
        ChangeAsync(level =>
        {
            level.SetAvailable(available);
            return level.Snapshot(Id);
        }, cancellationToken);

    /// <summary>Lists the SKU with <paramref name="available"/> units unless an operator already did (demo seeding).</summary>
    public Task<StockSnapshot> InitializeAsync(int available, CancellationToken cancellationToken) =>
        ChangeAsync(level =>
        {
            level.InitializeIfUnlisted(available);
            return level.Snapshot(Id);
        }, cancellationToken);

    public async Task<StockSnapshot> GetAsync(CancellationToken cancellationToken)
    {
        var level = await LoadAsync(cancellationToken);
        Observe(level);
        return level.Snapshot(Id);
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
            metrics.StockObserved(Id, level.Available, level.Reserved);
        }
    }

    private async Task<StockLevel> LoadAsync(CancellationToken cancellationToken)
    {
        var stored = await StateManager.TryGetStateAsync<StockLevel>(StateName, cancellationToken);
        return stored.HasValue && stored.Value is not null ? stored.Value : new StockLevel();
    }
}
