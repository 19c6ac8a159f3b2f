using System.Text.Json;
using Dapr;
using Dapr.Client;
using DaprOrders.BuildingBlocks.State;
using DaprOrders.Contracts;
using DaprOrders.Ordering.Saga;

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
/// plain ETag-guarded save through <see cref="ETaggedStateStore{T}"/>, which the outbox ignores.
/// </summary>
public sealed class OrderStore(DaprClient dapr, ETaggedStateStore<OrderDocument> documents, SubmissionTracker tracker, OrderDeadline deadline)
{
    public const string StoreName = "orderstore";

    private const int MaxSaveAttempts = 8;

    // daprd copies the metadata of the state op (not of the projection) into the outbox CloudEvent as attributes,
    // so the event type goes here. dapr/dapr release-1.17 pkg/runtime/pubsub/outbox.go.
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

    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    public static string Key(string orderId) => "order-" + orderId;

    /// <summary>
    /// Stores a submitted order unless it exists: the order's deadline is armed, then a new order and its
    /// <c>order.created</c> event are written in one first-write transaction, so only one submission per key can ever win. A repeat (same source+id and payload) is
    /// a duplicate and emits nothing; the same key with another payload is a conflict. What is stored is read first,
    /// so a repeat or a clash never attempts a transaction bound to fail, and concurrent repeats on this instance share
    /// one read and one transaction.
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
        // The deadline first: a stored order then always has one. If the transaction fails or loses a race, the reminder
        // is an orphan that later finds no order (or an order already decided) and does nothing.
        await deadline.ArmAsync(order.OrderId, cancellationToken);
        try
        {
            // The values are serialized here, with the documents' own contracts, because a transaction carries bytes.
            await dapr.ExecuteStateTransactionAsync(StoreName,
            [
                new StateTransactionRequest(key, JsonSerializer.SerializeToUtf8Bytes(order, OrderingJsonContext.Default.OrderDocument),
                    StateOperationType.Upsert, metadata: OrderOpMetadata, options: FirstWrite),
                // Last: daprd removes projection ops from the list while iterating it.
                new StateTransactionRequest(key, JsonSerializer.SerializeToUtf8Bytes(order.ToCreatedEvent(), ContractsJsonContext.Default.OrderCreated),
                    StateOperationType.Upsert, metadata: ProjectionMetadata),
            ], cancellationToken: cancellationToken);
            return new SubmissionResult(SubmissionOutcome.Created, order);
        }
        catch (DaprException)
        {
            // A first-write clash inside a transaction surfaces as gRPC INTERNAL (ERR_STATE_TRANSACTION), like any other
            // failed transaction (dapr/dapr v1.17.13 pkg/api/grpc/grpc.go ExecuteStateTransaction): what is stored decides.
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

    public Task<OrderDocument?> GetAsync(string orderId, CancellationToken cancellationToken) =>
        dapr.GetStateAsync<OrderDocument?>(StoreName, Key(orderId), cancellationToken: cancellationToken);

    /// <summary>
    /// Runs <paramref name="pass"/> over the stored order with its ETag (<see cref="ETaggedStateStore{T}.ChangeAsync{TResult}"/>):
    /// the pass decides, writes under the ETag and carries out its effects; when another writer got there first it
    /// answers null, and the next pass reads again and decides again from what is stored now.
    /// </summary>
    /// <returns>What the settling pass answered.</returns>
    /// <exception cref="InvalidOperationException">The order kept changing under every attempt (the caller is retried later).</exception>
    public async Task<TResult> ChangeAsync<TResult>(string orderId,
        Func<StatePass<OrderDocument>, CancellationToken, Task<TResult?>> pass, CancellationToken cancellationToken)
        where TResult : struct
    {
        ArgumentNullException.ThrowIfNull(pass);
        return await documents.ChangeAsync(Key(orderId), pass, MaxSaveAttempts, cancellationToken)
            ?? throw new InvalidOperationException($"Order {orderId} kept changing; giving up after {MaxSaveAttempts} attempts.");
    }
}
