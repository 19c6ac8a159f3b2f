using Dapr.Client;
using DaprOrders.BuildingBlocks.State;

namespace DaprOrders.Inventory.Catalog;

/// <summary>The SKU index document (key <c>stock-skus</c> in <c>statestore</c>): every SKU an operator has stocked.</summary>
public sealed record SkuIndex(IReadOnlyList<string> Skus)
{
    public const string Key = "stock-skus";
}

/// <summary>
/// Keeps the SKU index. Actor state cannot be listed, so <c>GET /stock</c> needs its own list of known SKUs; it is
/// updated with ETags because several replicas (and the demo seeder) may add SKUs at once.
/// </summary>
public sealed class SkuCatalog(DaprClient dapr)
{
    private const int MaxConflicts = 10;

    private readonly ETaggedStateStore<SkuIndex> _index = new(dapr, InventoryOptions.StateStoreName);

    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) =>
        (await _index.ReadAsync(SkuIndex.Key, cancellationToken)).Value?.Skus ?? [];

    public async Task AddAsync(string sku, CancellationToken cancellationToken)
    {
        var written = await _index.UpdateAsync(SkuIndex.Key, read =>
        {
            var skus = read.Value?.Skus ?? [];
            return skus.Contains(sku, StringComparer.Ordinal)
                ? new StateChange<SkuIndex, bool>(null, false)
                : new StateChange<SkuIndex, bool>(new SkuIndex([.. skus.Append(sku).Order(StringComparer.Ordinal)]), true);
        }, MaxConflicts, cancellationToken);
        if (written is null)
        {
            throw new InvalidOperationException($"The SKU index changed {MaxConflicts} times while adding '{sku}'; try again.");
        }
    }
}
