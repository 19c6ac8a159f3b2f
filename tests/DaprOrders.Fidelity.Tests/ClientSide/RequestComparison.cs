using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DaprOrders.Fidelity.Tests.ClientSide;

/// <summary>
/// Compares a request of our client with the JS SDK's request for the same operation, after the normalisation
/// documented in docs/dapr-fidelity.md ("How requests are compared"): daprd decodes query strings and JSON with Go's
/// standard library, so parameter order, percent-encoding, a lone "?", JSON member order, members set to null and
/// empty "options" objects cannot change what daprd does.
/// </summary>
internal static class RequestComparison
{
    // Set by every HTTP client its own way and read by no Dapr API; content-type is compared on its own, the API
    // token separately (both clients must send it on every call).
    private static readonly HashSet<string> IgnoredHeaders = new(StringComparer.Ordinal)
    {
        "host", "content-length", "connection", "keep-alive", "accept", "accept-encoding", "transfer-encoding",
        "user-agent", "dapr-api-token", "content-type",
    };

    public static IReadOnlyList<string> Compare(RecordedRequest ours, RecordedRequest sdk)
    {
        var differences = new List<string>();
        Differ(differences, "method", ours.Method, sdk.Method);
        Differ(differences, "path", ours.Path, sdk.Path);
        Differ(differences, "query", Query(ours.Query), Query(sdk.Query));
        Differ(differences, "content-type", ours.ContentType ?? "(none)", sdk.ContentType ?? "(none)");
        foreach (var name in ours.Headers.Keys.Union(sdk.Headers.Keys).Where(n => !IgnoredHeaders.Contains(n)).Order(StringComparer.Ordinal))
        {
            Differ(differences, $"header {name}", ours.Headers.GetValueOrDefault(name) ?? "(none)", sdk.Headers.GetValueOrDefault(name) ?? "(none)");
        }

        Differ(differences, "body", Body(ours.Body), Body(sdk.Body));
        return differences;
    }

    /// <summary>What the normalisation had to absorb for the two requests to compare equal (for the report).</summary>
    public static IReadOnlyList<string> Normalisations(RecordedRequest ours, RecordedRequest sdk)
    {
        var applied = new List<string>();
        if (ours.Query != sdk.Query && Query(ours.Query) == Query(sdk.Query))
        {
            applied.Add(ours.Query is "" or "?" || sdk.Query is "" or "?" ? "a lone '?'" : "query parameter order or encoding");
        }

        if (!ours.Body.AsSpan().SequenceEqual(sdk.Body) && Body(ours.Body) == Body(sdk.Body))
        {
            applied.Add(Body(ours.Body, dropDefaults: false) == Body(sdk.Body, dropDefaults: false)
                ? "JSON member order or whitespace"
                : $"null members or empty options (ours {Body(ours.Body, dropDefaults: false)} | js-sdk {Body(sdk.Body, dropDefaults: false)})");
        }

        return applied;
    }

    public static string Describe(RecordedRequest request) =>
        $"{request.Method} {request.Path}{request.Query} [{request.ContentType ?? "no content-type"}] {Body(request.Body)}";

    private static void Differ(List<string> differences, string what, string ours, string sdk)
    {
        if (!string.Equals(ours, sdk, StringComparison.Ordinal))
        {
            differences.Add($"{what}: ours {ours} | js-sdk {sdk}");
        }
    }

    /// <summary>Decoded name=value pairs, sorted: Go's url.ParseQuery sees nothing else.</summary>
    private static string Query(string raw)
    {
        var pairs = raw.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')) + "=" + (p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : string.Empty))
            .Order(StringComparer.Ordinal);
        return "[" + string.Join("&", pairs) + "]";
    }

    /// <summary>Canonical JSON (sorted members, nulls and empty "options" dropped), or the text when it is not JSON.</summary>
    private static string Body(byte[] body, bool dropDefaults = true)
    {
        if (body.Length == 0)
        {
            return "(empty)";
        }

        try
        {
            var node = JsonNode.Parse(body);
            var builder = new StringBuilder();
            WriteCanonical(builder, node, dropDefaults);
            return builder.ToString();
        }
        catch (JsonException)
        {
            return Encoding.UTF8.GetString(body);
        }
    }

    private static void WriteCanonical(StringBuilder builder, JsonNode? node, bool dropDefaults)
    {
        switch (node)
        {
            case JsonObject obj:
                builder.Append('{');
                var first = true;
                foreach (var (name, value) in obj.Where(m => !dropDefaults || IsMeaningful(m)).OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    builder.Append(first ? string.Empty : ",").Append(JsonSerializer.Serialize(name)).Append(':');
                    WriteCanonical(builder, value, dropDefaults);
                    first = false;
                }

                builder.Append('}');
                break;
            case JsonArray array:
                builder.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    builder.Append(i == 0 ? string.Empty : ",");
                    WriteCanonical(builder, array[i], dropDefaults);
                }

                builder.Append(']');
                break;
            case null:
                builder.Append("null");
                break;
            default:
                builder.Append(node.ToJsonString());
                break;
        }
    }

    // Go's encoding/json leaves a field at its zero value for null, and an empty StateOptions means the defaults.
    private static bool IsMeaningful(KeyValuePair<string, JsonNode?> member) =>
        member.Value is not null && !(member.Key == "options" && member.Value is JsonObject { Count: 0 });
}
