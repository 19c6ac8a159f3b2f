using System.Reflection;
using DaprOrders.Contracts;

namespace DaprOrders.Testing;

/// <summary>Reads the JSON Schemas embedded in the contracts assembly (the same files as <c>services/DaprOrders.Contracts/schemas/</c>).</summary>
public static class ContractSchemas
{
    /// <summary>Base of every schema <c>$id</c>: <c>https://daprorders.example/schemas/&lt;name&gt;</c>.</summary>
    public static Uri IdBase { get; } = new("https://daprorders.example/schemas/");

    /// <summary>Schema of the CloudEvents 1.0 envelope as Dapr delivers it.</summary>
    public const string CloudEvent = "cloudevent.json";

    private const string ResourcePrefix = "schemas/";

    private static readonly Assembly ContractsAssembly = typeof(EventTypes).Assembly;

    /// <summary>File names of every embedded schema, e.g. <c>order-created.v1.json</c>.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        .. ContractsAssembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..])
            .Order(StringComparer.Ordinal),
    ];

    /// <summary>Opens a schema by file name (<c>order-created.v1.json</c>) or resource name (<c>schemas/order-created.v1.json</c>).</summary>
    public static Stream Open(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var resource = name.StartsWith(ResourcePrefix, StringComparison.Ordinal) ? name : ResourcePrefix + name;
        return ContractsAssembly.GetManifestResourceStream(resource)
            ?? throw new FileNotFoundException($"No embedded contract schema '{name}'.", name);
    }

    public static string ReadText(string name)
    {
        using var reader = new StreamReader(Open(name));
        return reader.ReadToEnd();
    }

    public static string ReadText(EventContract contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        return ReadText(contract.SchemaName);
    }
}
