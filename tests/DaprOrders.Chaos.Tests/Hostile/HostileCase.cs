using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace DaprOrders.Chaos.Tests.Hostile;

/// <summary>What a hostile request must get back.</summary>
public sealed record HostileExpectation(
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("problem")] bool Problem,
    [property: JsonPropertyName("topicStatus")] string? TopicStatus);

/// <summary>A generated body: too big or too deep to write into a corpus file.</summary>
public sealed record HostileBodyGenerator(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("size")] int Size,
    [property: JsonPropertyName("type")] string? Type);

/// <summary>
/// One case of the hostile-input corpus (Hostile/corpus/*.json): a request to one service and the answer it must get.
/// <c>token</c> says what to send in <c>dapr-api-token</c>: the app token (default), nothing, or a wrong value.
/// In bodies, <c>$EXISTING_SOURCE</c> / <c>$EXISTING_ID</c> name the order the fixture submitted first.
/// </summary>
public sealed record HostileCase(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("app")] string App,
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("contentType")] string? ContentType,
    [property: JsonPropertyName("headers")] Dictionary<string, string>? Headers,
    [property: JsonPropertyName("body")] string? Body,
    [property: JsonPropertyName("bodyBase64")] string? BodyBase64,
    [property: JsonPropertyName("generate")] HostileBodyGenerator? Generate,
    [property: JsonPropertyName("token")] string? Token,
    [property: JsonPropertyName("expect")] HostileExpectation Expect)
{
    public const string ExistingSource = "urn:daprorders:hostile:existing";
    public const string ExistingId = "existing-1";

    private static readonly Lazy<IReadOnlyDictionary<string, HostileCase>> Corpus = new(Load);

    public static IReadOnlyDictionary<string, HostileCase> All => Corpus.Value;

    public override string ToString() => Name;

    public byte[] BodyBytes()
    {
        if (BodyBase64 is not null)
        {
            return Convert.FromBase64String(BodyBase64);
        }

        if (Generate is not null)
        {
            return Encoding.UTF8.GetBytes(Generated(Generate));
        }

        return Encoding.UTF8.GetBytes((Body ?? string.Empty).Replace("$EXISTING_SOURCE", ExistingSource, StringComparison.Ordinal)
            .Replace("$EXISTING_ID", ExistingId, StringComparison.Ordinal));
    }

    /// <summary>A valid submitted event (the corpus varies one thing at a time from it).</summary>
    public static JsonObject ValidSubmission(string id, string source = "urn:hostile", int lines = 1) => new()
    {
        ["specversion"] = "1.0",
        ["id"] = id,
        ["source"] = source,
        ["type"] = "daprorders.order.submitted.v1",
        ["datacontenttype"] = "application/json",
        ["data"] = new JsonObject
        {
            ["customerId"] = "customer-1",
            ["currency"] = "EUR",
            ["lines"] = new JsonArray([.. Enumerable.Range(0, lines).Select(i => (JsonNode)new JsonObject { ["sku"] = $"sku-{i}", ["quantity"] = 1, ["unitPrice"] = 100 })]),
        },
    };

    private static string Generated(HostileBodyGenerator generator)
    {
        var size = generator.Size;
        switch (generator.Kind)
        {
            case "lines":
                return ValidSubmission("hostile-lines", lines: size).ToJsonString();
            case "batch":
                return new JsonArray([.. Enumerable.Range(0, size).Select(i => (JsonNode)ValidSubmission($"hostile-batch-{i}"))]).ToJsonString();
            case "huge-structured":
                {
                    var submission = ValidSubmission("hostile-huge");
                    submission["data"]!["note"] = new string('x', size);
                    return submission.ToJsonString();
                }

            case "huge-batch":
                {
                    var padding = new string('x', 10_000);
                    var count = (size / padding.Length) + 1;
                    return new JsonArray([.. Enumerable.Range(0, Math.Min(count, 100)).Select(i =>
                    {
                        var submission = ValidSubmission($"hostile-huge-batch-{i}");
                        submission["data"]!["note"] = new string('x', size / Math.Min(count, 100));
                        return (JsonNode)submission;
                    })]).ToJsonString();
                }

            case "deep-data":
                return ValidSubmission("hostile-deep").ToJsonString().Replace("\"customerId\"", $"\"nested\":{Nested(size)},\"customerId\"", StringComparison.Ordinal);
            case "deep-extension":
                return ValidSubmission("hostile-deep-ext").ToJsonString().Replace("\"specversion\"", $"\"myext\":{Nested(size)},\"specversion\"", StringComparison.Ordinal);
            case "deep-delivery":
                return $$"""{"specversion":"1.0","id":"hostile-deep-delivery","source":"hostile","type":"{{generator.Type}}","topic":"hostile","pubsubname":"pubsub","datacontenttype":"application/json","data":{{Nested(size)}}}""";
            case "huge-delivery":
                return $$$"""{"specversion":"1.0","id":"hostile-huge-delivery","source":"hostile","type":"daprorders.order.created.v1","topic":"order-created","pubsubname":"pubsub","data":{"orderId":"{{{new string('x', size)}}}"}}""";
            default:
                throw new InvalidOperationException($"unknown generator {generator.Kind}");
        }
    }

    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    private static IReadOnlyDictionary<string, HostileCase> Load()
    {
        var folder = System.IO.Path.Combine(AppContext.BaseDirectory, "Hostile", "corpus");
        var cases = new Dictionary<string, HostileCase>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            foreach (var item in JsonSerializer.Deserialize<List<HostileCase>>(File.ReadAllText(file))!)
            {
                if (!cases.TryAdd(item.Name, item))
                {
                    throw new InvalidOperationException($"{System.IO.Path.GetFileName(file)}: duplicate case name '{item.Name}'");
                }
            }
        }

        return cases;
    }
}
