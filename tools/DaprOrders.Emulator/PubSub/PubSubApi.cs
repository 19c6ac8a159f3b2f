using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DaprOrders.Emulator.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DaprOrders.Emulator.PubSub;

/// <summary>
/// The HTTP door of publish and bulk publish (https://docs.dapr.io/reference/api/pubsub_api/); the publishing itself
/// is <see cref="PubSubPublisher"/>, which the gRPC door shares.
/// </summary>
internal sealed class PubSubApi(PubSubPublisher publisher) : ISidecarApi
{
    public void Map(IEndpointRouteBuilder routes, AppSidecar sidecar)
    {
        routes.MapMethods("/v1.0/publish/bulk/{pubsubname}/{**topic}", ["POST", "PUT"], (string pubsubname, string? topic, HttpRequest request) =>
            BulkPublishAsync(sidecar, pubsubname, topic ?? string.Empty, request));
        routes.MapMethods("/v1.0-alpha1/publish/bulk/{pubsubname}/{**topic}", ["POST", "PUT"], (string pubsubname, string? topic, HttpRequest request) =>
            BulkPublishAsync(sidecar, pubsubname, topic ?? string.Empty, request));
        routes.MapMethods("/v1.0/publish/{pubsubname}/{**topic}", ["POST", "PUT"], (string pubsubname, string? topic, HttpRequest request) =>
            PublishAsync(sidecar, pubsubname, topic ?? string.Empty, request));
    }

    private async Task<IResult> PublishAsync(AppSidecar sidecar, string pubsubName, string topic, HttpRequest request)
    {
        var body = await SidecarHttp.ReadBodyAsync(request);
        try
        {
            publisher.Publish(new PublishRequest(sidecar.AppId, pubsubName, topic, request.ContentType, body, SidecarHttp.Metadata(request),
                request.Headers["traceparent"].FirstOrDefault(), request.Headers["tracestate"].FirstOrDefault()));
            return Results.NoContent();
        }
        catch (PublishRejectedException ex)
        {
            return SidecarHttp.Error(ex.StatusCode, ex.ErrorCode, ex.Message);
        }
    }

    private async Task<IResult> BulkPublishAsync(AppSidecar sidecar, string pubsubName, string topic, HttpRequest request)
    {
        var body = await SidecarHttp.ReadBodyAsync(request);
        var queryMetadata = SidecarHttp.Metadata(request);
        try
        {
            publisher.ResolveForPublish(sidecar.AppId, pubsubName, topic);
        }
        catch (PublishRejectedException ex)
        {
            return SidecarHttp.Error(ex.StatusCode, ex.ErrorCode, ex.Message);
        }

        List<PublishRequest> entries;
        List<string> entryIds;
        try
        {
            (entries, entryIds) = ParseEntries(sidecar.AppId, pubsubName, topic, body, queryMetadata, request.Headers["traceparent"].FirstOrDefault());
        }
        catch (FormatException ex)
        {
            return SidecarHttp.Error(400, "ERR_PUBSUB_EVENTS_SER", $"error when unmarshaling the request for topic {topic} pubsub {pubsubName}: {ex.Message}");
        }

        var failed = new JsonArray();
        foreach (var (entryId, error) in publisher.PublishBulk([.. entryIds.Zip(entries)]))
        {
            failed.Add(new JsonObject { ["entryId"] = entryId, ["error"] = error });
        }

        if (failed.Count == 0)
        {
            return Results.NoContent();
        }

        return SidecarHttp.Json(new JsonObject { ["failedEntries"] = failed, ["errorCode"] = "ERR_PUBSUB_PUBLISH_MESSAGE" }, 500);
    }

    private static (List<PublishRequest>, List<string>) ParseEntries(
        string appId, string pubsubName, string topic, byte[] body, Dictionary<string, string> queryMetadata, string? traceParent)
    {
        JsonArray items;
        try
        {
            items = JsonNode.Parse(body) as JsonArray ?? throw new FormatException("the body must be a JSON array");
        }
        catch (JsonException ex)
        {
            throw new FormatException(ex.Message, ex);
        }

        var entries = new List<PublishRequest>();
        var ids = new List<string>();
        foreach (var item in items)
        {
            if (item is not JsonObject entry)
            {
                throw new FormatException("each entry must be a JSON object");
            }

            var entryId = entry.Field("entryId")?.ToString();
            if (string.IsNullOrEmpty(entryId) || ids.Contains(entryId))
            {
                throw new FormatException($"entryId '{entryId}' is missing or not unique");
            }

            var contentType = entry.Field("contentType")?.ToString() ?? string.Empty;
            var data = EventBytes(entryId, contentType, entry.Field("event"));

            // daprd merges request metadata into an entry only when the entry has its own metadata object.
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            if (entry.Field("metadata") is JsonObject entryMetadata)
            {
                foreach (var (key, value) in queryMetadata)
                {
                    metadata[key] = value;
                }

                foreach (var (key, value) in entryMetadata)
                {
                    metadata[key] = value?.ToString() ?? string.Empty;
                }
            }
            else if (queryMetadata.TryGetValue("rawPayload", out var raw))
            {
                // rawPayload on the request applies to all entries.
                metadata["rawPayload"] = raw;
            }

            ids.Add(entryId);
            entries.Add(new PublishRequest(appId, pubsubName, topic, contentType, data, metadata, traceParent));
        }

        return (entries, ids);
    }

    private static byte[] EventBytes(string entryId, string contentType, JsonNode? value)
    {
        var mediaType = contentType.Split(';')[0].Trim().ToLowerInvariant();
        var isString = value is JsonValue v && v.GetValueKind() == JsonValueKind.String;
        if (mediaType.StartsWith("text/", StringComparison.Ordinal) || mediaType == "application/xml")
        {
            return isString ? Encoding.UTF8.GetBytes(value!.GetValue<string>()) : throw new FormatException($"entry {entryId}: event must be a string for {contentType}");
        }

        if (mediaType is "application/json" or "application/cloudevents+json")
        {
            return Encoding.UTF8.GetBytes(value?.ToJsonString() ?? "null");
        }

        if (mediaType == "application/octet-stream")
        {
            try
            {
                return isString ? Convert.FromBase64String(value!.GetValue<string>()) : throw new FormatException($"entry {entryId}: event must be a base64 string");
            }
            catch (FormatException ex) when (isString)
            {
                throw new FormatException($"entry {entryId}: event is not valid base64", ex);
            }
        }

        throw new FormatException($"entry {entryId}: content type '{contentType}' is not supported");
    }

    private static JsonNode? Field(JsonObject obj, string name) =>
        obj.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}
