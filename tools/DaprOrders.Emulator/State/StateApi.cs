using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DaprOrders.Emulator.Hosting;
using DaprOrders.Emulator.PubSub;
using DaprOrders.Emulator.Resources;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DaprOrders.Emulator.State;

/// <summary>The state API (wire notes section 3) and the transactional outbox (section 4).</summary>
internal sealed class StateApi(StateStoreRegistry registry, PubSubPublisher publisher, PubSubBroker broker, EmulatorResources resources, TimeProvider timeProvider) : ISidecarApi
{
    public void Map(IEndpointRouteBuilder routes, AppSidecar sidecar)
    {
        routes.MapMethods("/v1.0/state/{store}", ["POST", "PUT"], (string store, HttpRequest request) => SaveAsync(sidecar, store, request));
        routes.MapMethods("/v1.0/state/{store}/bulk", ["POST", "PUT"], (string store, HttpRequest request) => BulkGetAsync(sidecar, store, request));
        routes.MapMethods("/v1.0/state/{store}/transaction", ["POST", "PUT"], (string store, HttpRequest request) => TransactAsync(sidecar, store, request));
        routes.MapGet("/v1.0/state/{store}/{key}", (string store, string key, HttpContext context) => Get(sidecar, store, key, context));
        routes.MapDelete("/v1.0/state/{store}/{key}", (string store, string key, HttpRequest request) => Delete(sidecar, store, key, request));
    }

    private IResult? Resolve(AppSidecar sidecar, string storeName, out StateStoreComponent store)
    {
        store = null!;
        if (!registry.StoresFor(sidecar.AppId).Any())
        {
            return SidecarHttp.Error(500, "ERR_STATE_STORE_NOT_CONFIGURED", "state store is not configured");
        }

        var found = registry.Find(sidecar.AppId, storeName);
        if (found is null)
        {
            return SidecarHttp.Error(400, "ERR_STATE_STORE_NOT_FOUND", $"state store {storeName} is not found");
        }

        store = found;
        return null;
    }

    private static IResult? CheckKey(string key) =>
        key.Contains("||", StringComparison.Ordinal)
            ? SidecarHttp.Error(400, "ERR_MALFORMED_REQUEST", $"input key/keyPrefix '{key}' can't contain '||'")
            : null;

    private async Task<IResult> SaveAsync(AppSidecar sidecar, string storeName, HttpRequest request)
    {
        if (Resolve(sidecar, storeName, out var store) is { } notFound)
        {
            return notFound;
        }

        var queryMetadata = SidecarHttp.Metadata(request);
        JsonDocument body;
        try
        {
            body = JsonDocument.Parse(await SidecarHttp.ReadBodyAsync(request));
        }
        catch (JsonException ex)
        {
            return SidecarHttp.Error(400, "ERR_MALFORMED_REQUEST", $"failed deserializing HTTP body: {ex.Message}");
        }

        using var parsed = body;
        if (body.RootElement.ValueKind != JsonValueKind.Array)
        {
            return SidecarHttp.Error(400, "ERR_MALFORMED_REQUEST", "failed deserializing HTTP body: expected an array");
        }

        var operations = new List<StateOperation>();
        foreach (var item in body.RootElement.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var key = item.StringField("key");
            if (string.IsNullOrEmpty(key))
            {
                return SidecarHttp.Error(400, "ERR_MALFORMED_REQUEST", "\"key\" is a required field");
            }

            if (CheckKey(key) is { } bad)
            {
                return bad;
            }

            var metadata = item.StringMap("metadata");
            foreach (var (k, v) in queryMetadata)
            {
                metadata[k] = v;
            }

            operations.Add(Upsert(store, sidecar.AppId, key, item.Field("value"), item.StringField("etag"), item.Field("options")?.StringField("concurrency"), metadata));
        }

        // Items are written one by one and every item is tried (daprd's BulkSet is not atomic: it sets each item and
        // joins the errors), so after a conflict the other items are saved and the request still answers 409.
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

        return conflict is null
            ? Results.NoContent()
            : SidecarHttp.Error(409, "ERR_STATE_SAVE",
                $"failed saving state in state store {storeName}: possible etag mismatch. error from state store: {conflict.Message}");
    }

    private IResult Get(AppSidecar sidecar, string storeName, string key, HttpContext context)
    {
        if (Resolve(sidecar, storeName, out var store) is { } notFound)
        {
            return notFound;
        }

        if (CheckKey(key) is { } bad)
        {
            return bad;
        }

        var item = store.Store.Get(store.PhysicalKey(sidecar.AppId, key));
        if (item is null)
        {
            return Results.NoContent();
        }

        context.Response.Headers.ETag = item.ETag;
        if (item.ExpiresAt is { } expiresAt)
        {
            context.Response.Headers["metadata.ttlExpireTime"] = CloudEventEnvelope.FormatTime(expiresAt);
        }

        return Results.Bytes(item.Value.ToArray(), "application/json");
    }

    private async Task<IResult> BulkGetAsync(AppSidecar sidecar, string storeName, HttpRequest request)
    {
        if (Resolve(sidecar, storeName, out var store) is { } notFound)
        {
            return notFound;
        }

        JsonObject body;
        try
        {
            body = JsonNode.Parse(await SidecarHttp.ReadBodyAsync(request)) as JsonObject ?? throw new JsonException("expected an object");
        }
        catch (JsonException ex)
        {
            return SidecarHttp.Error(400, "ERR_MALFORMED_REQUEST", $"failed deserializing HTTP body: {ex.Message}");
        }

        var result = new JsonArray();
        foreach (var key in (body.Field("keys") as JsonArray ?? []).Select(k => k?.GetValue<string>() ?? string.Empty))
        {
            if (CheckKey(key) is { } bad)
            {
                return bad;
            }

            var entry = new JsonObject { ["key"] = key };
            if (store.Store.Get(store.PhysicalKey(sidecar.AppId, key)) is { } item)
            {
                entry["data"] = ParseStored(item.Value);
                entry["etag"] = item.ETag;
            }

            result.Add(entry);
        }

        return SidecarHttp.Json(result);
    }

    private IResult Delete(AppSidecar sidecar, string storeName, string key, HttpRequest request)
    {
        if (Resolve(sidecar, storeName, out var store) is { } notFound)
        {
            return notFound;
        }

        if (CheckKey(key) is { } bad)
        {
            return bad;
        }

        // A present-but-empty If-Match means "no etag".
        var etag = request.Headers.IfMatch.FirstOrDefault();
        try
        {
            store.Store.Transact([new StateOperation(StateOperationKind.Delete, store.PhysicalKey(sidecar.AppId, key), ETag: string.IsNullOrEmpty(etag) ? null : etag)]);
        }
        catch (StateETagMismatchException ex)
        {
            return SidecarHttp.Error(409, "ERR_STATE_DELETE", $"failed deleting state with key {key}: possible etag mismatch. error from state store: {ex.Message}");
        }

        return Results.NoContent();
    }

    private async Task<IResult> TransactAsync(AppSidecar sidecar, string storeName, HttpRequest request)
    {
        if (Resolve(sidecar, storeName, out var store) is { } notFound)
        {
            return notFound;
        }

        var queryMetadata = SidecarHttp.Metadata(request);
        JsonDocument body;
        try
        {
            body = JsonDocument.Parse(await SidecarHttp.ReadBodyAsync(request));
        }
        catch (JsonException ex)
        {
            return SidecarHttp.Error(400, "ERR_MALFORMED_REQUEST", $"failed deserializing HTTP body: {ex.Message}");
        }

        using var parsed = body;
        if (body.RootElement.ValueKind != JsonValueKind.Object)
        {
            return SidecarHttp.Error(400, "ERR_MALFORMED_REQUEST", "failed deserializing HTTP body: expected an object");
        }

        var requested = new List<TransactionItem>();
        IEnumerable<JsonElement> operationList = body.RootElement.Field("operations") is { ValueKind: JsonValueKind.Array } list ? list.EnumerateArray() : [];
        foreach (var op in operationList)
        {
            if (op.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var kind = op.StringField("operation");
            if (kind is not ("upsert" or "delete"))
            {
                return SidecarHttp.Error(400, "ERR_NOT_SUPPORTED_STATE_OPERATION", $"operation type {kind} not supported");
            }

            var item = op.Field("request") is { ValueKind: JsonValueKind.Object } found ? found : default;
            var key = item.StringField("key") ?? string.Empty;
            if (key.Length == 0)
            {
                return SidecarHttp.Error(400, "ERR_MALFORMED_REQUEST", "\"key\" is a required field");
            }

            if (CheckKey(key) is { } bad)
            {
                return bad;
            }

            // Query metadata goes into every op (query wins); the body-level metadata does not.
            var metadata = item.StringMap("metadata");
            foreach (var (k, v) in queryMetadata)
            {
                metadata[k] = v;
            }

            // Elements of the request body: serialized as they are, and turned into nodes only where an outbox event adopts them.
            requested.Add(new TransactionItem(kind == "upsert", key, item.Field("value"), item.StringField("etag"),
                item.Field("options")?.StringField("concurrency"), item.StringField("contentType"), metadata));
        }

        if (requested.Count == 0)
        {
            return Results.NoContent();
        }

        var outboxMessages = new List<(string Pubsub, string Topic, byte[] Data)>();
        var writes = requested;
        if (store.Outbox is { } outbox)
        {
            // Projections replace what is published for their key and are not written themselves.
            var projections = new Dictionary<string, TransactionItem>(StringComparer.Ordinal);
            foreach (var item in requested.Where(i => i.Upsert && IsTrue(i.Metadata.GetValueOrDefault("outbox.projection"))))
            {
                projections.TryAdd(item.Key, item);
            }

            writes = requested.Where(i => !(i.Upsert && IsTrue(i.Metadata.GetValueOrDefault("outbox.projection")))).ToList();
            try
            {
                // daprd first publishes to its internal topic "{appId}{topic}outbox", then to the final topic: both need scopes.
                publisher.ResolveForPublish(sidecar.AppId, outbox.InternalPubsub, $"{sidecar.AppId}{outbox.PublishTopic}outbox");
                publisher.ResolveForPublish(sidecar.AppId, outbox.PublishPubsub, outbox.PublishTopic);
            }
            catch (PublishRejectedException ex)
            {
                return SidecarHttp.Error(500, "ERR_PUBLISH_OUTBOX", $"error while publishing outbox message: {ex.Message}");
            }

            var traceId = resources.Configuration.TracingEnabled ? TraceContext.ChildOf(request.Headers["traceparent"].FirstOrDefault()).TraceParent : string.Empty;
            foreach (var item in writes.Where(i => i.Upsert))
            {
                // The projection (if any) gives data and content type; the state operation's own metadata gives the
                // CloudEvent attributes (daprd's outbox.go copies op.GetMetadata() of the written op).
                var payload = projections.GetValueOrDefault(item.Key) ?? item;
                outboxMessages.Add((outbox.PublishPubsub, outbox.PublishTopic,
                    GoJson.Serialize(OutboxEvent(sidecar.AppId, outbox, payload, item.Metadata, traceId, request.Headers["tracestate"].FirstOrDefault() ?? string.Empty))));
            }
        }

        var operations = writes.Select(i => i.Upsert
            ? Upsert(store, sidecar.AppId, i.Key, i.Value, i.ETag, i.Concurrency, i.Metadata)
            : new StateOperation(StateOperationKind.Delete, store.PhysicalKey(sidecar.AppId, i.Key), ETag: string.IsNullOrEmpty(i.ETag) ? null : i.ETag)).ToList();
        try
        {
            store.Store.Transact(operations);
        }
        catch (StateETagMismatchException ex)
        {
            // Inside a transaction daprd answers 500, not 409.
            return SidecarHttp.Error(500, "ERR_STATE_TRANSACTION", $"error while executing state transaction: {ex.Message}");
        }

        // Simplification: daprd routes through an internal topic and a marker key; the emulator publishes after commit.
        foreach (var (pubsub, topic, data) in outboxMessages)
        {
            broker.Publish(new BrokerMessage(pubsub, topic, data, new Dictionary<string, string>(), CloudEventEnvelope.CloudEventContentType));
        }

        return Results.NoContent();
    }

    private JsonObject OutboxEvent(string appId, OutboxSettings outbox, TransactionItem item, Dictionary<string, string> attributes, string traceId, string traceState)
    {
        var contentType = item.ContentType is { Length: > 0 } ct ? ct : item.Metadata.GetValueOrDefault("contentType") is { Length: > 0 } mct ? mct : "text/plain";
        var cloudEvent = new JsonObject
        {
            ["id"] = $"outbox-{Guid.NewGuid()}",
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
            ["data"] = contentType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                ? ToNode(item.Value)
                : GoFormat(ToNode(item.Value)),
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

    private static StateOperation Upsert(StateStoreComponent store, string appId, string key, JsonElement? value, string? etag, string? concurrency, Dictionary<string, string> metadata)
    {
        TimeSpan? ttl = null;
        if (metadata.FirstOrDefault(m => m.Key.Equals("ttlInSeconds", StringComparison.OrdinalIgnoreCase)).Value is { } ttlText
            && long.TryParse(ttlText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            ttl = TimeSpan.FromSeconds(seconds);
        }

        // The value is decoded and re-marshalled like Go's json.Marshal (sorted keys), so a JSON string stays quoted.
        return new StateOperation(StateOperationKind.Upsert, store.PhysicalKey(appId, key), value is { } json ? GoJson.Serialize(json) : "null"u8.ToArray(),
            string.IsNullOrEmpty(etag) ? null : etag, string.Equals(concurrency, "first-write", StringComparison.Ordinal), ttl);
    }

    private static JsonNode? ParseStored(ReadOnlyMemory<byte> value)
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

    private static bool IsTrue(string? value) => value is "1" or "t" or "T" or "true" or "TRUE" or "True";

    private static JsonNode? ToNode(JsonElement? value) => value is { } element ? JsonNode.Parse(JsonMarshal.GetRawUtf8Value(element)) : null;

    private sealed record TransactionItem(bool Upsert, string Key, JsonElement? Value, string? ETag, string? Concurrency, string? ContentType, Dictionary<string, string> Metadata);
}
