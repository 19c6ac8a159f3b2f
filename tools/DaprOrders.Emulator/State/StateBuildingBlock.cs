using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DaprOrders.Emulator.PubSub;
using DaprOrders.Emulator.Resiliency;
using DaprOrders.Emulator.Resources;

namespace DaprOrders.Emulator.State;

/// <summary>Why daprd refuses a state call; each API door maps it to its own wire form (HTTP status, gRPC code).</summary>
public enum StateErrorKind
{
    /// <summary>The app sees no state store at all (HTTP 500, gRPC FAILED_PRECONDITION).</summary>
    StoreNotConfigured,

    /// <summary>No store of that name (HTTP 400, gRPC INVALID_ARGUMENT).</summary>
    StoreNotFound,

    /// <summary>The key contains "||" (HTTP 400 ERR_MALFORMED_REQUEST, gRPC INVALID_ARGUMENT).</summary>
    InvalidKey,

    /// <summary>An ETag did not match, or first-write found the key (HTTP 409, gRPC ABORTED).</summary>
    ETagMismatch,

    /// <summary>The outbox cannot publish to its topics (HTTP 500 ERR_PUBSUB_OUTBOX, gRPC INTERNAL).</summary>
    OutboxPublish,

    /// <summary>The store refused a transaction; an ETag conflict inside one lands here too (HTTP 500, gRPC INTERNAL).</summary>
    TransactionFailed,

    /// <summary>The call never reached the store: its circuit breaker is open, or a timeout ended it (HTTP 500, gRPC INTERNAL).</summary>
    StoreUnavailable,
}

/// <summary>A state call daprd refuses: the kind, daprd's errorCode and its message (the same text on both doors).</summary>
public sealed class StateRequestException(StateErrorKind kind, string errorCode, string message) : Exception(message)
{
    public StateErrorKind Kind { get; } = kind;

    public string ErrorCode { get; } = errorCode;
}

/// <summary>How a door hands over a value: HTTP gives a decoded JSON value, gRPC gives opaque bytes.</summary>
public enum StateValueForm
{
    /// <summary>A JSON value from an HTTP body; stored re-marshalled like Go's json.Marshal.</summary>
    Json,

    /// <summary>Bytes from a gRPC request (the SDK's serialized value); stored as they are.</summary>
    Bytes,
}

/// <summary>One value to write, in the form its door received it.</summary>
public sealed record StateValue(StateValueForm Form, ReadOnlyMemory<byte> Bytes)
{
    /// <summary>An HTTP body's JSON value (null when the request had none).</summary>
    public static StateValue FromJson(JsonElement? value) =>
        new(StateValueForm.Json, value is { } json ? GoJson.Serialize(json) : "null"u8.ToArray());

    public static StateValue FromBytes(ReadOnlyMemory<byte> bytes) => new(StateValueForm.Bytes, bytes);
}

/// <summary>One save or transaction item, as both doors describe it.</summary>
/// <param name="Upsert">False for a delete (transactions only).</param>
/// <param name="FirstWrite">Concurrency first-write.</param>
/// <param name="ContentType">The transaction item's own content type (HTTP only; gRPC carries it in metadata).</param>
public sealed record StateWrite(
    bool Upsert,
    string Key,
    StateValue? Value,
    string? ETag,
    bool FirstWrite,
    IReadOnlyDictionary<string, string> Metadata,
    string? ContentType = null);

/// <summary>One key of a bulk get: the stored value, or null when the key has none.</summary>
public sealed record BulkStateItem(string Key, StoredState? Item);

/// <summary>
/// daprd's state API behind both doors (HTTP /v1.0/state and the gRPC Dapr service): store lookup, key prefixing,
/// ETags and concurrency, non-atomic bulk writes, transactions and the transactional outbox. The doors only parse their
/// wire form and map <see cref="StateRequestException"/> to it, so both write through the same code. Every call into a
/// store runs under the store's outbound resiliency policy (<see cref="CallStoreAsync{T}"/>).
/// </summary>
public sealed class StateBuildingBlock(
    StateStoreRegistry registry,
    PubSubPublisher publisher,
    TransactionalOutbox transactionalOutbox,
    EmulatorResources resources,
    ResiliencyPolicies resiliency,
    TimeProvider timeProvider)
{
    /// <summary>The store <paramref name="appId"/> calls <paramref name="storeName"/> (dapr/dapr@3289e4d pkg/api/universal/state.go GetStateStore).</summary>
    public StateStoreComponent Resolve(string appId, string storeName)
    {
        if (!registry.StoresFor(appId).Any())
        {
            throw new StateRequestException(StateErrorKind.StoreNotConfigured, "ERR_STATE_STORE_NOT_CONFIGURED", "state store is not configured");
        }

        return registry.Find(appId, storeName)
            ?? throw new StateRequestException(StateErrorKind.StoreNotFound, "ERR_STATE_STORE_NOT_FOUND", $"state store {storeName} is not found");
    }

    public async Task<StoredState?> GetAsync(string appId, string storeName, string key, CancellationToken cancellationToken = default)
    {
        var store = Resolve(appId, storeName);
        var physical = PhysicalKey(store, appId, key);
        try
        {
            return await CallStoreAsync(appId, store, () => store.Store.Get(physical), conflictIsPermanent: false, cancellationToken);
        }
        catch (StateStoreUnavailableException ex)
        {
            throw new StateRequestException(StateErrorKind.StoreUnavailable, "ERR_STATE_GET", $"fail to get {key} from state store {storeName}: {ex.Message}");
        }
    }

    public async Task<IReadOnlyList<BulkStateItem>> BulkGetAsync(string appId, string storeName, IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var store = Resolve(appId, storeName);
        var physical = keys.Select(k => PhysicalKey(store, appId, k)).ToList();
        try
        {
            return await CallStoreAsync<IReadOnlyList<BulkStateItem>>(appId, store,
                () => [.. keys.Select((key, i) => new BulkStateItem(key, store.Store.Get(physical[i])))], conflictIsPermanent: false, cancellationToken);
        }
        catch (StateStoreUnavailableException ex)
        {
            throw new StateRequestException(StateErrorKind.StoreUnavailable, "ERR_STATE_BULK_GET", $"failed getting state in bulk from state store {storeName}: {ex.Message}");
        }
    }

    /// <summary>
    /// One call into <paramref name="store"/> under its outbound policy: retry(circuitBreaker(timeout(call))), on the
    /// emulator's clock. daprd runs state get, bulk get, save, delete and transactions, and actor state transactions,
    /// this way (dapr/dapr v1.17.13 pkg/api/universal/state.go, pkg/api/http/http.go, pkg/actors/state/state.go).
    /// An ETag conflict is an error like any other: the breaker counts it and the retry policy retries it, except on a
    /// save, which marks it permanent (dapr/dapr v1.17.13 pkg/components/state/bulk.go, backoff.Permanent) - the
    /// breaker still counts that one. Throws the last <see cref="StateETagMismatchException"/>, or
    /// <see cref="StateStoreUnavailableException"/> when the breaker or a timeout stopped the call.
    /// </summary>
    public async Task<T> CallStoreAsync<T>(string appId, StateStoreComponent store, Func<T> call, bool conflictIsPermanent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(call);
        var pipeline = resiliency.ForComponentOutbound(appId, store.Definition);
        var result = await pipeline.ExecuteAsync(_ =>
        {
            try
            {
                return Task.FromResult(Attempt<T>.Succeeded(call()));
            }
            catch (StateETagMismatchException ex)
            {
                return Task.FromResult(conflictIsPermanent ? Attempt<T>.Stopped(default, error: ex) : Attempt<T>.Failed(default, error: ex));
            }
        }, cancellationToken);
        return result switch
        {
            { Outcome: AttemptOutcome.Success } => result.Value!,
            { Error: StateETagMismatchException conflict } => throw new StateETagMismatchException(conflict.Key),
            _ => throw new StateStoreUnavailableException(result.Error?.Message ?? "state store call failed", result.Error),
        };
    }

    /// <summary>
    /// Saves each item on its own and tries every one (daprd's BulkSet is not atomic: it sets each item and joins the
    /// errors), so after a conflict the other items are saved and the call still fails with the first conflict.
    /// </summary>
    public async Task SaveAsync(string appId, string storeName, IReadOnlyList<StateWrite> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var store = Resolve(appId, storeName);
        var operations = items.Select(i => Upsert(store, appId, i)).ToList();
        try
        {
            await CallStoreAsync(appId, store, () => ApplyEach(store, operations), conflictIsPermanent: true, cancellationToken);
        }
        catch (StateETagMismatchException conflict)
        {
            throw new StateRequestException(StateErrorKind.ETagMismatch, "ERR_STATE_SAVE",
                $"failed saving state in state store {storeName}: possible etag mismatch. error from state store: {conflict.Message}");
        }
        catch (StateStoreUnavailableException ex)
        {
            throw new StateRequestException(StateErrorKind.StoreUnavailable, "ERR_STATE_SAVE", $"failed saving state in state store {storeName}: {ex.Message}");
        }
    }

    private static bool Commit(StateStoreComponent store, List<StateOperation> operations)
    {
        store.Store.Transact(operations);
        return true;
    }

    /// <summary>Applies each operation on its own and tries every one; throws the first conflict after the last.</summary>
    private static bool ApplyEach(StateStoreComponent store, List<StateOperation> operations)
    {
        StateETagMismatchException? conflict = null;
        foreach (var operation in operations)
        {
            try
            {
                store.Store.Transact([operation]);
            }
            catch (StateETagMismatchException ex)
            {
                conflict ??= ex;
            }
        }

        return conflict is null ? true : throw conflict;
    }

    /// <summary>Deletes each key on its own, like <see cref="Save"/>; a missing key is not an error.</summary>
    public async Task DeleteAsync(string appId, string storeName, IReadOnlyList<(string Key, string? ETag)> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var store = Resolve(appId, storeName);
        var operations = items.Select(i => Removal(store, appId, i.Key, i.ETag)).ToList();
        try
        {
            // Unlike a save, a delete's conflict is retried by the policy (dapr/dapr v1.17.13 pkg/api/http/http.go onDeleteState).
            await CallStoreAsync(appId, store, () => ApplyEach(store, operations), conflictIsPermanent: false, cancellationToken);
        }
        catch (StateETagMismatchException conflict)
        {
            var key = StateStoreComponent.LogicalKey(conflict.Key);
            throw new StateRequestException(StateErrorKind.ETagMismatch, "ERR_STATE_DELETE",
                $"failed deleting state with key {key}: possible etag mismatch. error from state store: {conflict.Message}");
        }
        catch (StateStoreUnavailableException ex)
        {
            throw new StateRequestException(StateErrorKind.StoreUnavailable, "ERR_STATE_DELETE", $"failed deleting state with key {items[0].Key}: {ex.Message}");
        }
    }

    /// <summary>
    /// Applies every write or none. For a store with outbox metadata each upsert first gets its internal message and a
    /// marker key in the same transaction (<see cref="TransactionalOutbox"/>); the event reaches its topic only after the
    /// commit, about 1 s later. <paramref name="traceParent"/>/<paramref name="traceState"/> are the caller's trace headers.
    /// </summary>
    public async Task TransactAsync(string appId, string storeName, IReadOnlyList<StateWrite> requested, string? traceParent, string? traceState, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requested);
        var store = Resolve(appId, storeName);
        foreach (var item in requested)
        {
            PhysicalKey(store, appId, item.Key);
        }

        if (requested.Count == 0)
        {
            return;
        }

        var outboxMessages = new List<(string MarkerKey, JsonObject CloudEvent)>();
        var writes = requested;
        if (store.Outbox is { } outbox)
        {
            // Projections replace what is published for their key and are not written themselves.
            var projections = new Dictionary<string, StateWrite>(StringComparer.Ordinal);
            foreach (var item in requested.Where(IsProjection))
            {
                projections.TryAdd(item.Key, item);
            }

            writes = [.. requested.Where(i => !IsProjection(i))];
            try
            {
                // The internal topic and then the final one: both need publishing scopes.
                publisher.ResolveForPublish(appId, outbox.InternalPubsub, TransactionalOutbox.InternalTopic(appId, outbox));
                publisher.ResolveForPublish(appId, outbox.PublishPubsub, outbox.PublishTopic);
            }
            catch (PublishRejectedException ex)
            {
                throw new StateRequestException(StateErrorKind.OutboxPublish, "ERR_PUBLISH_OUTBOX", $"error while publishing outbox message: {ex.Message}");
            }

            var traceId = resources.Configuration.TracingEnabled ? TraceContext.ChildOf(traceParent).TraceParent : string.Empty;
            foreach (var item in writes.Where(i => i.Upsert))
            {
                // The projection (if any) gives data and content type; the state operation's own metadata gives the
                // CloudEvent attributes (daprd's outbox.go copies op.GetMetadata() of the written op).
                var payload = projections.GetValueOrDefault(item.Key) ?? item;
                var markerKey = $"outbox-{Guid.NewGuid()}";
                outboxMessages.Add((markerKey, OutboxEvent(appId, outbox, markerKey, payload, item.Metadata, traceId, traceState ?? string.Empty)));
            }

            // Phase one: the internal messages go out before the commit, so a transaction that then fails leaves them
            // to find no marker (dapr/dapr v1.17.13 pkg/api/http/http.go onPostStateTransaction, pkg/api/grpc/grpc.go).
            foreach (var (markerKey, cloudEvent) in outboxMessages)
            {
                transactionalOutbox.PublishInternal(appId, store, outbox, markerKey, cloudEvent);
            }
        }

        var operations = writes.Select(i => i.Upsert ? Upsert(store, appId, i) : Removal(store, appId, i.Key, i.ETag))
            .Concat(outboxMessages.Select(m => TransactionalOutbox.Marker(m.MarkerKey)))
            .ToList();
        try
        {
            await CallStoreAsync(appId, store, () => Commit(store, operations), conflictIsPermanent: false, cancellationToken);
        }
        catch (Exception ex) when (ex is StateETagMismatchException or StateStoreUnavailableException)
        {
            // Inside a transaction daprd answers 500 / INTERNAL, not 409 / ABORTED (dapr/dapr@3289e4d pkg/api/grpc/grpc.go ExecuteStateTransaction).
            throw new StateRequestException(StateErrorKind.TransactionFailed, "ERR_STATE_TRANSACTION", $"error while executing state transaction: {ex.Message}");
        }
    }

    /// <summary>daprd's physical key; a key containing "||" is refused (dapr/dapr@3289e4d pkg/components/state GetModifiedStateKey).</summary>
    private static string PhysicalKey(StateStoreComponent store, string appId, string key) =>
        key.Contains("||", StringComparison.Ordinal)
            ? throw new StateRequestException(StateErrorKind.InvalidKey, "ERR_MALFORMED_REQUEST", $"input key/keyPrefix '{key}' can't contain '||'")
            : store.PhysicalKey(appId, key);

    private static bool IsProjection(StateWrite item) => item.Upsert && IsTrue(item.Metadata.GetValueOrDefault("outbox.projection"));

    private JsonObject OutboxEvent(string appId, OutboxSettings outbox, string id, StateWrite item, IReadOnlyDictionary<string, string> attributes, string traceId, string traceState)
    {
        var contentType = item.ContentType is { Length: > 0 } ct ? ct : item.Metadata.GetValueOrDefault("contentType") is { Length: > 0 } mct ? mct : "text/plain";
        var isJson = contentType.Equals("application/json", StringComparison.OrdinalIgnoreCase);
        var cloudEvent = new JsonObject
        {
            ["id"] = id,
            ["source"] = appId,
            ["type"] = CloudEventEnvelope.DefaultType,
            ["specversion"] = "1.0",
            ["datacontenttype"] = contentType,
            ["topic"] = outbox.PublishTopic,
            ["pubsubname"] = outbox.PublishPubsub,
            ["time"] = CloudEventEnvelope.FormatTime(timeProvider.GetUtcNow()),
            ["traceid"] = traceId,
            ["traceparent"] = string.Empty,
            ["tracestate"] = traceState,
            ["data"] = EventData(item.Value, isJson),
        };

        // daprd copies every op-metadata entry (except data and id) verbatim as a CloudEvent attribute.
        foreach (var (key, value) in attributes)
        {
            if (key is not ("data" or "id"))
            {
                cloudEvent[key] = value;
            }
        }

        return cloudEvent;
    }

    // Over HTTP daprd holds the decoded JSON value, which a text content type prints with Go's "%v"; over gRPC it holds
    // the request's bytes, which a text content type carries as they are.
    private static JsonNode? EventData(StateValue? value, bool isJson)
    {
        if (value is null)
        {
            return isJson ? null : GoFormat(null);
        }

        var node = ParseStored(value.Bytes);
        if (isJson)
        {
            return node;
        }

        return value.Form == StateValueForm.Json ? GoFormat(node) : Encoding.UTF8.GetString(value.Bytes.Span);
    }

    /// <summary>Go's fmt "%v" of a decoded JSON value: what daprd publishes for non-JSON content types.</summary>
    internal static string GoFormat(JsonNode? value) => value switch
    {
        null => "<nil>",
        JsonObject obj => "map[" + string.Join(' ', obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{GoFormat(p.Value)}")) + "]",
        JsonArray array => "[" + string.Join(' ', array.Select(GoFormat)) + "]",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture).ToString("G", CultureInfo.InvariantCulture),
        _ => value.ToJsonString(),
    };

    /// <summary>A stored value as JSON, or as a string when it is not JSON (bytes saved over gRPC may be anything).</summary>
    public static JsonNode? ParseStored(ReadOnlyMemory<byte> value)
    {
        try
        {
            return JsonNode.Parse(value.Span);
        }
        catch (JsonException)
        {
            return Encoding.UTF8.GetString(value.Span);
        }
    }

    private static StateOperation Upsert(StateStoreComponent store, string appId, StateWrite item)
    {
        TimeSpan? ttl = null;
        if (item.Metadata.FirstOrDefault(m => m.Key.Equals("ttlInSeconds", StringComparison.OrdinalIgnoreCase)).Value is { } ttlText
            && long.TryParse(ttlText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            ttl = TimeSpan.FromSeconds(seconds);
        }

        return new StateOperation(StateOperationKind.Upsert, PhysicalKey(store, appId, item.Key), item.Value?.Bytes ?? "null"u8.ToArray(),
            string.IsNullOrEmpty(item.ETag) ? null : item.ETag, item.FirstWrite, ttl);
    }

    // An empty ETag means "no ETag" on both doors.
    private static StateOperation Removal(StateStoreComponent store, string appId, string key, string? etag) =>
        new(StateOperationKind.Delete, PhysicalKey(store, appId, key), ETag: string.IsNullOrEmpty(etag) ? null : etag);

    private static bool IsTrue(string? value) => value is "1" or "t" or "T" or "true" or "TRUE" or "True";
}
