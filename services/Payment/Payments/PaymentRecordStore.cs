using DaprOrders.Sidecar;

namespace DaprOrders.Payment.Payments;

/// <summary>Payment records in <c>statestore</c> with optimistic concurrency (first-write, then ETag).</summary>
public sealed class PaymentRecordStore(DaprSidecarClient sidecar)
{
    public const string StoreName = "statestore";

    private static readonly StateOptions FirstWrite = new(ConcurrencyMode.FirstWrite);

    public Task<StateEntry<PaymentRecord>?> GetAsync(string orderId, CancellationToken cancellationToken) =>
        sidecar.GetStateEntryAsync(StoreName, PaymentRecord.KeyFor(orderId), PaymentJsonContext.Default.PaymentRecord,
            ConsistencyMode.Strong, cancellationToken: cancellationToken);

    /// <summary>Creates the record; false when one exists already.</summary>
    public async Task<bool> TryCreateAsync(PaymentRecord record, CancellationToken cancellationToken)
    {
        try
        {
            await sidecar.SaveStateAsync(StoreName, PaymentRecord.KeyFor(record.OrderId), record, PaymentJsonContext.Default.PaymentRecord,
                etag: null, FirstWrite, cancellationToken: cancellationToken);
            return true;
        }
        catch (DaprETagMismatchException)
        {
            return false;
        }
    }

    /// <summary>Replaces the record read with <paramref name="etag"/>; false when it changed in between.</summary>
    public Task<bool> TryReplaceAsync(PaymentRecord record, string etag, CancellationToken cancellationToken) =>
        sidecar.TrySaveStateAsync(StoreName, PaymentRecord.KeyFor(record.OrderId), record, PaymentJsonContext.Default.PaymentRecord,
            etag, FirstWrite, cancellationToken: cancellationToken);
}
