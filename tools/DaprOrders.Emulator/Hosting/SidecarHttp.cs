using System.Text.Json.Nodes;
using DaprOrders.Emulator.PubSub;
using Microsoft.AspNetCore.Http;

namespace DaprOrders.Emulator.Hosting;

/// <summary>daprd's HTTP conventions shared by the building-block APIs (dapr/dapr release-1.17 pkg/api/http/http.go).</summary>
public static class SidecarHttp
{
    /// <summary>Query parameters prefixed "metadata." (case-sensitive prefix, first value of a repeated key).</summary>
    public static Dictionary<string, string> Metadata(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, values) in request.Query)
        {
            if (key.StartsWith("metadata.", StringComparison.Ordinal) && key.Length > "metadata.".Length)
            {
                metadata[key["metadata.".Length..]] = values.FirstOrDefault() ?? string.Empty;
            }
        }

        return metadata;
    }

    /// <summary>daprd's error body: {"errorCode":...,"message":...} as Go writes it (sorted keys).</summary>
    public static IResult Error(int status, string errorCode, string message) =>
        Json(new JsonObject { ["errorCode"] = errorCode, ["message"] = message }, status);

    // GoJson writes UTF-8; going through a string would transcode the body twice.
    public static IResult Json(JsonNode node, int status = 200) =>
        Results.Text(GoJson.Serialize(node), "application/json", statusCode: status);

    // Bodies up to this size with a Content-Length are read straight into their final array; larger or chunked
    // ones go through a stream, so Kestrel's body size limit applies before anything is allocated for them.
    private const long ExactReadLimit = 1024 * 1024;

    public static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength is { } length and <= ExactReadLimit)
        {
            var body = new byte[length];
            await request.Body.ReadExactlyAsync(body, request.HttpContext.RequestAborted);
            return body;
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        return buffer.ToArray();
    }
}
