using DaprOrders.Sidecar;

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
public sealed class SkuCatalog(DaprSidecarClient sidecar)
{
    private const string StoreName = Reservations.ReservationStore.StoreName;
    private const int MaxConflicts = 10;
    private static readonly StateOptions FirstWrite = new(ConcurrencyMode.FirstWrite);

    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) =>
        (await sidecar.GetStateAsync(StoreName, SkuIndex.Key, InventoryJsonContext.Default.SkuIndex,
            ConsistencyMode.Strong, cancellationToken: cancellationToken))?.Skus ?? [];

    public async Task AddAsync(string sku, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxConflicts; attempt++)
        {
            var entry = await sidecar.GetStateEntryAsync(StoreName, SkuIndex.Key, InventoryJsonContext.Default.SkuIndex,
                ConsistencyMode.Strong, cancellationToken: cancellationToken);
            var skus = entry?.Value?.Skus ?? [];
            if (skus.Contains(sku, StringComparer.Ordinal))
            {
                return;
            }

            var updated = new SkuIndex([.. skus.Append(sku).Order(StringComparer.Ordinal)]);
            var saved = entry?.ETag is { Length: > 0 } etag
                ? await sidecar.TrySaveStateAsync(StoreName, SkuIndex.Key, updated, InventoryJsonContext.Default.SkuIndex,
                    etag, FirstWrite, cancellationToken: cancellationToken)
                : await TryCreateAsync(updated, cancellationToken);
            if (saved)
            {
                return;
            }
        }

        throw new DaprApiException($"The SKU index changed {MaxConflicts} times while adding '{sku}'; try again.");
    }

    private async Task<bool> TryCreateAsync(SkuIndex index, CancellationToken cancellationToken)
    {
        try
        {
            await sidecar.SaveStateAsync(StoreName, SkuIndex.Key, index, InventoryJsonContext.Default.SkuIndex,
                etag: null, FirstWrite, cancellationToken: cancellationToken);
            return true;
        }
        catch (DaprETagMismatchException)
        {
            return false;
        }
    }
}
