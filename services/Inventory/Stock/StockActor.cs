using Dapr.Actors.Runtime;
using DaprOrders.Inventory.Telemetry;
using Microsoft.Extensions.Options;

namespace DaprOrders.Inventory.Stock;

/// <summary>
/// One actor per SKU (actor id = SKU). daprd runs one turn at a time per SKU, so every read-modify-write of a SKU's
/// stock happens here and nowhere else; the actor runtime saves the state once per turn, in one transaction of one key
/// (so no store has to make several keys atomic). Each turn first forgets the holds older than the hold retention.
/// </summary>
[Actor(TypeName = TypeName)]
public sealed class StockActor(ActorHost host, InventoryMetrics metrics, TimeProvider timeProvider, IOptions<InventoryOptions> options)
    : Actor(host), IStockActor
{
    /// <summary>The actor type name registered with daprd.</summary>
    public const string TypeName = "Stock";

    private const string StateName = "stock";

    private string Sku => Id.GetId();

    public Task<StockReservationResult> ReserveAsync(StockReservationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ChangeAsync(level => level.Reserve(Sku, request.OrderId, request.Quantity, timeProvider.GetUtcNow()), cancellationToken);
    }

    public Task<StockReleaseResult> ReleaseAsync(string orderId, CancellationToken cancellationToken = default) =>
        ChangeAsync(level => level.Release(Sku, orderId, timeProvider.GetUtcNow()), cancellationToken);

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

    /// <summary>A read, but it prunes too (and saves if that changed anything), so the levels it shows are current.</summary>
    public Task<StockSnapshot> GetAsync(CancellationToken cancellationToken = default) =>
        ChangeAsync(level => level.Snapshot(Sku), cancellationToken);

    private async Task<T> ChangeAsync<T>(Func<StockLevel, T> change, CancellationToken cancellationToken)
    {
        var level = await LoadAsync(cancellationToken);
        var version = level.Version;
        level.Prune(timeProvider.GetUtcNow(), options.Value.HoldRetention);
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
