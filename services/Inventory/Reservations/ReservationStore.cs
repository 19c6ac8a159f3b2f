using DaprOrders.Sidecar;

namespace DaprOrders.Inventory.Reservations;

/// <summary>Reservation records in <c>statestore</c> with optimistic concurrency (first-write, then ETag).</summary>
public sealed class ReservationStore(DaprSidecarClient sidecar)
{
    public const string StoreName = "statestore";

    private static readonly StateOptions FirstWrite = new(ConcurrencyMode.FirstWrite);

    public Task<StateEntry<StockReservationRecord>?> GetAsync(string orderId, CancellationToken cancellationToken) =>
        sidecar.GetStateEntryAsync(StoreName, StockReservationRecord.KeyFor(orderId),
            InventoryJsonContext.Default.StockReservationRecord, ConsistencyMode.Strong, cancellationToken: cancellationToken);

    /// <summary>Creates the record; false when one exists already (another delivery got there first).</summary>
    public async Task<bool> TryCreateAsync(StockReservationRecord record, CancellationToken cancellationToken)
    {
        try
        {
            await sidecar.SaveStateAsync(StoreName, StockReservationRecord.KeyFor(record.OrderId), record,
                InventoryJsonContext.Default.StockReservationRecord, etag: null, FirstWrite, cancellationToken: cancellationToken);
            return true;
        }
        catch (DaprETagMismatchException)
        {
            return false;
        }
    }

    /// <summary>Replaces the record read with <paramref name="etag"/>; false when it changed in between.</summary>
    public Task<bool> TryReplaceAsync(StockReservationRecord record, string etag, CancellationToken cancellationToken) =>
        sidecar.TrySaveStateAsync(StoreName, StockReservationRecord.KeyFor(record.OrderId), record,
            InventoryJsonContext.Default.StockReservationRecord, etag, FirstWrite, cancellationToken: cancellationToken);
}
