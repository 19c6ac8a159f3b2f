using System.Collections.Concurrent;
using NJsonSchema;
using YamlDotNet.Serialization;

namespace DaprOrders.Contracts.Tests;

/// <summary>Loads the contract files the way a non-.NET consumer would: schemas and asyncapi.yaml from disk.</summary>
internal static class ContractFiles
{
    private static readonly ConcurrentDictionary<string, Task<JsonSchema>> Schemas = new(StringComparer.Ordinal);

    /// <summary>Build output folder; the contracts project copies asyncapi.yaml and schemas/ there.</summary>
    public static string Directory => AppContext.BaseDirectory;

    public static string AsyncApiPath => Path.Combine(Directory, "asyncapi.yaml");

    public static string SchemaPath(string name) => Path.Combine(Directory, "schemas", name);

    /// <summary>Parsed from the embedded copy, which a test keeps identical to the file on disk.</summary>
    public static Task<JsonSchema> SchemaAsync(string name) =>
        Schemas.GetOrAdd(name, n => JsonSchema.FromJsonAsync(ContractSchemas.ReadText(n)));

    public static Dictionary<object, object> AsyncApi()
    {
        var deserializer = new DeserializerBuilder().Build();
        return deserializer.Deserialize<Dictionary<object, object>>(File.ReadAllText(AsyncApiPath));
    }

    public static Dictionary<object, object> Map(this Dictionary<object, object> node, string key) =>
        (Dictionary<object, object>)node[key];

    public static List<object> List(this Dictionary<object, object> node, string key) => (List<object>)node[key];

    public static string Text(this Dictionary<object, object> node, string key) => (string)node[key];

    public static IEnumerable<(string Key, Dictionary<object, object> Value)> Entries(this Dictionary<object, object> node) =>
        node.Select(kv => ((string)kv.Key, (Dictionary<object, object>)kv.Value));

    /// <summary>Resolves a local JSON pointer such as <c>#/channels/orders/messages/orderCreated</c>.</summary>
    public static Dictionary<object, object> Resolve(Dictionary<object, object> document, string pointer)
    {
        Assert.StartsWith("#/", pointer, StringComparison.Ordinal);
        var node = document;
        foreach (var segment in pointer[2..].Split('/'))
        {
            Assert.True(node.ContainsKey(segment), $"{pointer} does not resolve ('{segment}' missing)");
            node = node.Map(segment);
        }

        return node;
    }

    public static string Ref(this Dictionary<object, object> node) => node.Text("$ref");
}
