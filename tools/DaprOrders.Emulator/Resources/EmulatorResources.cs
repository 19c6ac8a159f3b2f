namespace DaprOrders.Emulator.Resources;

/// <summary>A Dapr Component as loaded from YAML: metadata values are resolved strings (secret references resolved).</summary>
public sealed record ComponentDefinition(
    string Name,
    string Type,
    string Version,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<string> Scopes)
{
    /// <summary>daprd loads a resource for every app when scopes is empty, else only for the listed app-ids.</summary>
    public bool IsVisibleTo(string appId) => Scopes.Count == 0 || Scopes.Contains(appId, StringComparer.Ordinal);

    /// <summary>Metadata names are matched case-insensitively by daprd.</summary>
    public string? GetMetadata(string name)
    {
        foreach (var (key, value) in Metadata)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }
}

/// <summary>Everything read from the resources paths and the configuration file.</summary>
public sealed class EmulatorResources
{
    public List<ComponentDefinition> Components { get; } = [];

    public IEnumerable<ComponentDefinition> ComponentsFor(string appId) => Components.Where(c => c.IsVisibleTo(appId));
}
