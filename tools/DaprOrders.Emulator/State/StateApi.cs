using System.Text.Json;
using System.Text.Json.Nodes;
using DaprOrders.Emulator.Hosting;
using DaprOrders.Emulator.PubSub;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DaprOrders.Emulator.State;

/// <summary>
/// The HTTP door of the state API (https://docs.dapr.io/reference/api/state_api/): parses daprd's HTTP wire form and
/// hands every call to <see cref="StateBuildingBlock"/>, which the gRPC door shares.
/// </summary>
internal sealed class StateApi(StateBuildingBlock state) : ISidecarApi
{
    public void Map(IEndpointRouteBuilder routes, AppSidecar sidecar)
    {
        routes.MapMethods("/v1.0/state/{store}", ["POST", "PUT"], (string store, HttpRequest request) => SaveAsync(sidecar, store, request));
        routes.MapMethods("/v1.0/state/{store}/bulk", ["POST", "PUT"], (string store, HttpRequest request) => BulkGetAsync(sidecar, store, request));
        routes.MapMethods("/v1.0/state/{store}/transaction", ["POST", "PUT"], (string store, HttpRequest request) => TransactAsync(sidecar, store, request));
        routes.MapGet("/v1.0/state/{store}/{key}", (string store, string key, HttpContext context) => GetAsync(sidecar, store, key, context));
        routes.MapDelete("/v1.0/state/{store}/{key}", (string store, string key, HttpRequest request) => DeleteAsync(sidecar, store, key, request));
    }

    /// <summary>daprd's HTTP status for each refusal (dapr/dapr@3289e4d pkg/api/http/http.go, pkg/api/errors/state.go).</summary>
    private static IResult Error(StateRequestException error) => SidecarHttp.Error(
        error.Kind switch
        {
            StateErrorKind.StoreNotFound or StateErrorKind.InvalidKey => 400,
            StateErrorKind.ETagMismatch => 409,
            _ => 500,
        },
        error.ErrorCode,
        error.Message);

    private static IResult Malformed(string message) => SidecarHttp.Error(400, "ERR_MALFORMED_REQUEST", message);

    private async Task<IResult> SaveAsync(AppSidecar sidecar, string storeName, HttpRequest request)
    {
        try
        {
            // The store is looked up before the body is read, so an unknown store wins over a bad body.
            state.Resolve(sidecar.AppId, storeName);
            using var body = JsonDocument.Parse(await SidecarHttp.ReadBodyAsync(request));
            if (body.RootElement.ValueKind != JsonValueKind.Array)
            {
                return Malformed("failed deserializing HTTP body: expected an array");
            }

            var queryMetadata = SidecarHttp.Metadata(request);
            var items = new List<StateWrite>();
            foreach (var item in body.RootElement.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object))
            {
                var key = item.StringField("key");
                if (string.IsNullOrEmpty(key))
                {
                    return Malformed("\"key\" is a required field");
                }

                items.Add(new StateWrite(true, key, StateValue.FromJson(item.Field("value")), item.StringField("etag"),
                    IsFirstWrite(item), Merge(item.StringMap("metadata"), queryMetadata)));
            }

            await state.SaveAsync(sidecar.AppId, storeName, items, request.HttpContext.RequestAborted);
            return Results.NoContent();
        }
        catch (JsonException ex)
        {
            return Malformed($"failed deserializing HTTP body: {ex.Message}");
        }
        catch (StateRequestException ex)
        {
            return Error(ex);
        }
    }

    private async Task<IResult> GetAsync(AppSidecar sidecar, string storeName, string key, HttpContext context)
    {
        StoredState? item;
        try
        {
            item = await state.GetAsync(sidecar.AppId, storeName, key, context.RequestAborted);
        }
        catch (StateRequestException ex)
        {
            return Error(ex);
        }

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
        try
        {
            state.Resolve(sidecar.AppId, storeName);
            var body = JsonNode.Parse(await SidecarHttp.ReadBodyAsync(request)) as JsonObject ?? throw new JsonException("expected an object");
            var keys = (body.Field("keys") as JsonArray ?? []).Select(k => k?.GetValue<string>() ?? string.Empty).ToList();
            var result = new JsonArray();
            foreach (var (key, item) in await state.BulkGetAsync(sidecar.AppId, storeName, keys, request.HttpContext.RequestAborted))
            {
                var entry = new JsonObject { ["key"] = key };
                if (item is not null)
                {
                    entry["data"] = StateBuildingBlock.ParseStored(item.Value);
                    entry["etag"] = item.ETag;
                }

                result.Add(entry);
            }

            return SidecarHttp.Json(result);
        }
        catch (JsonException ex)
        {
            return Malformed($"failed deserializing HTTP body: {ex.Message}");
        }
        catch (StateRequestException ex)
        {
            return Error(ex);
        }
    }

    private async Task<IResult> DeleteAsync(AppSidecar sidecar, string storeName, string key, HttpRequest request)
    {
        try
        {
            // A present-but-empty If-Match means "no etag".
            await state.DeleteAsync(sidecar.AppId, storeName, [(key, request.Headers.IfMatch.FirstOrDefault())], request.HttpContext.RequestAborted);
            return Results.NoContent();
        }
        catch (StateRequestException ex)
        {
            return Error(ex);
        }
    }

    private async Task<IResult> TransactAsync(AppSidecar sidecar, string storeName, HttpRequest request)
    {
        try
        {
            state.Resolve(sidecar.AppId, storeName);
            using var body = JsonDocument.Parse(await SidecarHttp.ReadBodyAsync(request));
            if (body.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Malformed("failed deserializing HTTP body: expected an object");
            }

            var queryMetadata = SidecarHttp.Metadata(request);
            var items = new List<StateWrite>();
            IEnumerable<JsonElement> operations = body.RootElement.Field("operations") is { ValueKind: JsonValueKind.Array } list ? list.EnumerateArray() : [];
            foreach (var op in operations.Where(o => o.ValueKind == JsonValueKind.Object))
            {
                var kind = op.StringField("operation");
                if (kind is not ("upsert" or "delete"))
                {
                    return SidecarHttp.Error(400, "ERR_NOT_SUPPORTED_STATE_OPERATION", $"operation type {kind} not supported");
                }

                var item = op.Field("request") is { ValueKind: JsonValueKind.Object } found ? found : default;
                var key = item.StringField("key") ?? string.Empty;
                if (key.Length == 0)
                {
                    return Malformed("\"key\" is a required field");
                }

                // Query metadata goes into every op (query wins); the body-level metadata does not.
                items.Add(new StateWrite(kind == "upsert", key, StateValue.FromJson(item.Field("value")), item.StringField("etag"),
                    IsFirstWrite(item), Merge(item.StringMap("metadata"), queryMetadata), item.StringField("contentType")));
            }

            await state.TransactAsync(sidecar.AppId, storeName, items, request.Headers["traceparent"].FirstOrDefault(), request.Headers["tracestate"].FirstOrDefault(), request.HttpContext.RequestAborted);
            return Results.NoContent();
        }
        catch (JsonException ex)
        {
            return Malformed($"failed deserializing HTTP body: {ex.Message}");
        }
        catch (StateRequestException ex)
        {
            return Error(ex);
        }
    }

    private static bool IsFirstWrite(JsonElement item) =>
        string.Equals(item.Field("options")?.StringField("concurrency"), "first-write", StringComparison.Ordinal);

    private static Dictionary<string, string> Merge(Dictionary<string, string> metadata, Dictionary<string, string> queryMetadata)
    {
        foreach (var (k, v) in queryMetadata)
        {
            metadata[k] = v;
        }

        return metadata;
    }
}
