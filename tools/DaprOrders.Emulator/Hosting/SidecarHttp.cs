using System.Text.Json.Nodes;
using DaprOrders.Emulator.PubSub;
using Microsoft.AspNetCore.Http;

namespace DaprOrders.Emulator.Hosting;

/// <summary>daprd's HTTP conventions shared by the building-block APIs (wire notes section 0).</summary>
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
        Results.Text(GoJson.SerializeToString(new JsonObject { ["errorCode"] = errorCode, ["message"] = message }), "application/json", statusCode: status);

    public static IResult Json(JsonNode node, int status = 200) =>
        Results.Text(GoJson.SerializeToString(node), "application/json", statusCode: status);

    public static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        return buffer.ToArray();
    }
}
