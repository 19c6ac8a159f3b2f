using DaprOrders.Contracts;
using DaprOrders.Sidecar;

namespace DaprOrders.Ordering.Orders;

/// <summary>What happened to a submission: a new order, a repeat of an existing one, or a clash with one.</summary>
public enum SubmissionOutcome
{
    Created,
    Duplicate,
    Conflict,
}

public sealed record SubmissionResult(SubmissionOutcome Outcome, OrderDocument Order);

/// <summary>
/// Order documents in the <c>orderstore</c> state store (key <c>order-{orderId}</c>). Creation goes through ONE state
/// transaction so daprd's outbox publishes <c>order.created</c> atomically with the write; every later change is a
/// plain ETag-guarded save, which the outbox ignores.
/// </summary>
public sealed class OrderStore(DaprSidecarClient sidecar, SubmissionTracker tracker)
{
    public const string StoreName = "orderstore";

    private const int MaxSaveAttempts = 8;

    // daprd copies the metadata of the state op (not of the projection) into the outbox CloudEvent as attributes,
    // so the event type goes here. Wire notes §4 / daprd runtime/pubsub/outbox.go.
    private static readonly Dictionary<string, string> OrderOpMetadata = new(StringComparer.Ordinal)
    {
        ["type"] = EventTypes.OrderCreated,
    };

    // With a projection for the key, daprd publishes the projection's value and takes datacontenttype from the
    // projection's contentType; without "application/json" the event data would be Go's fmt rendering of the map.
    // daprd ignores the projection's other metadata; "type" is repeated here so the projection describes the event
    // it carries on its own (and stand-ins that read attributes from the projection agree with daprd).
    private static readonly Dictionary<string, string> ProjectionMetadata = new(StringComparer.Ordinal)
    {
        ["outbox.projection"] = "true",
        ["contentType"] = "application/json",
        ["type"] = EventTypes.OrderCreated,
    };

    private static readonly StateOptions FirstWrite = new(ConcurrencyMode.FirstWrite);

    public static string Key(string orderId) => "order-" + orderId;

    /// <summary>
    /// Stores a submitted order unless it exists: a new order and its <c>order.created</c> event are written in one
    /// first-write transaction, so only one submission per key can ever win. A repeat (same source+id and payload) is
    /// a duplicate and emits nothing; the same key with another payload is a conflict. What is stored is read first,
    /// so a repeat never attempts a transaction bound to fail, and concurrent repeats on this instance share one read
    /// and one transaction.
    /// </summary>
    /// <remarks>
    /// A failed outbox transaction is not free on daprd: it publishes the internal outbox message before it commits,
    /// and its outbox subscriber then looks for a marker that never comes for about 10 s (dapr/dapr v1.17.13
    /// pkg/runtime/pubsub/outbox.go), holding up the internal topic on brokers that deliver one message at a time.
    /// Only two instances racing on the same new order can still both reach the transaction; first-write lets one win.
    /// </remarks>
    public async Task<SubmissionResult> SubmitAsync(OrderDocument order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        // Not cancelled with this request: other requests may be waiting for the same outcome.
        var (result, shared) = await tracker.RunOnceAsync(order.OrderId, () => SubmitOnceAsync(order, CancellationToken.None));
        return shared ? Compare(order, result.Order) : result;
    }

    private async Task<SubmissionResult> SubmitOnceAsync(OrderDocument order, CancellationToken cancellationToken) =>
        await GetAsync(order.OrderId, cancellationToken) is { } existing
            ? Compare(order, existing)
            : await CreateAsync(order, cancellationToken);

    private async Task<SubmissionResult> CreateAsync(OrderDocument order, CancellationToken cancellationToken)
    {
        var key = Key(order.OrderId);
        try
        {
            await sidecar.ExecuteStateTransactionAsync(StoreName,
            [
                StateTransactionOperation.Upsert(key, order, OrderingJsonContext.Default.OrderDocument,
                    metadata: OrderOpMetadata, options: FirstWrite),
                // Last: daprd removes projection ops from the list while iterating it.
                StateTransactionOperation.Upsert(key, order.ToCreatedEvent(), ContractsJsonContext.Default.OrderCreated,
                    metadata: ProjectionMetadata),
            ], cancellationToken: cancellationToken);
            return new SubmissionResult(SubmissionOutcome.Created, order);
        }
        catch (DaprApiException)
        {
            // A first-write clash surfaces as 500 ERR_STATE_TRANSACTION, indistinguishable from other failures by
            // status: what is stored decides.
            var existing = await GetAsync(order.OrderId, cancellationToken);
            if (existing is null)
            {
                throw;
            }

            return Compare(order, existing);
        }
    }

    private static SubmissionResult Compare(OrderDocument submitted, OrderDocument existing) =>
        new(existing.Submission == submitted.Submission ? SubmissionOutcome.Duplicate : SubmissionOutcome.Conflict, existing);

    public async Task<OrderDocument?> GetAsync(string orderId, CancellationToken cancellationToken) =>
        await sidecar.GetStateAsync(StoreName, Key(orderId), OrderingJsonContext.Default.OrderDocument,
            cancellationToken: cancellationToken);

    /// <summary>
    /// Moves the stored order to <paramref name="status"/> with an optimistic-concurrency loop and returns the
    /// stored result. A terminal order is returned unchanged (it never changes again); null when no order exists.
    /// </summary>
    public async Task<OrderDocument?> ChangeStatusAsync(string orderId, OrderStatus status, DateTimeOffset at,
        CancellationReason? reason, string? detail, CancellationToken cancellationToken)
    {
        var key = Key(orderId);
        for (var attempt = 1; ; attempt++)
        {
            var entry = await sidecar.GetStateEntryAsync(StoreName, key, OrderingJsonContext.Default.OrderDocument,
                cancellationToken: cancellationToken);
            if (entry?.Value is not { } current)
            {
                return null;
            }

            var changed = current.WithStatus(status, at, reason, detail);
            if (ReferenceEquals(changed, current))
            {
                return current;
            }

            if (entry.ETag is { Length: > 0 } etag
                ? await sidecar.TrySaveStateAsync(StoreName, key, changed, OrderingJsonContext.Default.OrderDocument, etag,
                    cancellationToken: cancellationToken)
                : await TrySaveWithoutETagAsync(key, changed, cancellationToken))
            {
                return changed;
            }

            if (attempt >= MaxSaveAttempts)
            {
                throw new InvalidOperationException(
                    $"Order {orderId} kept changing while moving it to {status}; giving up after {attempt} attempts.");
            }
        }
    }

    // Stores without ETags do not exist among DaprOrders' components, but a missing ETag must not loop forever.
    private async Task<bool> TrySaveWithoutETagAsync(string key, OrderDocument order, CancellationToken cancellationToken)
    {
        await sidecar.SaveStateAsync(StoreName, key, order, OrderingJsonContext.Default.OrderDocument,
            cancellationToken: cancellationToken);
        return true;
    }
}
