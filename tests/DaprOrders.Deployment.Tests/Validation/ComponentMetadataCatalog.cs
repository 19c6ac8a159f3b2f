using System.Text.Json;

namespace DaprOrders.Deployment.Validation;

/// <summary>One metadata field of a component version (components-contrib metadata.yaml, as summarised in index.json).</summary>
/// <param name="Type">string, bool, number, duration or bytesize: how daprd parses the string value.</param>
/// <param name="Origin">null for the component's own fields, "authProfile", "runtime-builtin" or "dapr-runtime" (our whitelist).</param>
public sealed record MetadataField(
    string Name,
    string Type,
    bool Required,
    bool Sensitive,
    string? Default,
    IReadOnlyList<string> AllowedValues,
    string? Origin,
    bool Deprecated,
    string? ReplacedBy);

public sealed record AuthProfile(string Title, IReadOnlyList<string> Required, IReadOnlyList<string> Optional);

/// <summary>One version of one component type, e.g. state.postgresql v2.</summary>
public sealed record ComponentVersion(
    string SpecType,
    string Version,
    string Status,
    IReadOnlyList<string> Capabilities,
    IReadOnlyDictionary<string, MetadataField> Fields,
    IReadOnlyList<string> RequiredAlways,
    IReadOnlyList<AuthProfile> AuthProfiles,
    IReadOnlyDictionary<string, string> Aliases,
    IReadOnlyList<string> RuntimeChecks)
{
    public string Category => SpecType[..SpecType.IndexOf('.', StringComparison.Ordinal)];

    /// <summary>The field with this exact name, or (as daprd matches) the one whose name differs only in case.</summary>
    public MetadataField? FindField(string name) =>
        Fields.TryGetValue(name, out var exact) ? exact
        : Fields.Values.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The canonical name when <paramref name="name"/> is a legacy alias (mapstructurealiases), else null.</summary>
    public string? CanonicalNameOfAlias(string name) =>
        Aliases.FirstOrDefault(a => string.Equals(a.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>
/// The components-contrib metadata catalog (schemas dir <c>dapr-components/index.json</c>, contrib v1.18.4),
/// merged with the runtime built-ins of <see cref="DaprRuntimeMetadata"/>.
/// </summary>
public sealed class ComponentMetadataCatalog
{
    private readonly List<ComponentType> _types = [];

    public string Source { get; }

    public ComponentMetadataCatalog(string schemaDirectory)
    {
        var path = Path.Combine(schemaDirectory, "dapr-components", "index.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var rootSource = document.RootElement.GetProperty("_source");
        Source = $"{rootSource.GetProperty("repo").GetString()}@{rootSource.GetProperty("tag").GetString()}";

        foreach (var component in document.RootElement.GetProperty("components").EnumerateObject())
        {
            var specType = component.Name;
            var category = specType[..specType.IndexOf('.', StringComparison.Ordinal)];
            var registered = Strings(component.Value, "registeredNames");
            var versions = new Dictionary<string, ComponentVersion>(StringComparer.Ordinal);
            foreach (var version in component.Value.GetProperty("versions").EnumerateObject())
            {
                versions[version.Name] = ReadVersion(specType, category, version.Name, version.Value);
            }

            _types.Add(new ComponentType(specType, category, registered, versions));
        }
    }

    public IEnumerable<string> SpecTypes => _types.Select(t => t.SpecType);

    /// <summary>
    /// Resolves spec.type and spec.version as daprd does: "state.postgres" is an alias registration of
    /// state.postgresql; an empty version, "v0" and "v1" all mean the initial version.
    /// </summary>
    public ComponentLookup Find(string specType, string? version)
    {
        ArgumentNullException.ThrowIfNull(specType);
        var dot = specType.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return new ComponentLookup(null, null, []);
        }

        var category = specType[..dot];
        var name = specType[(dot + 1)..];
        var type = _types.FirstOrDefault(t => t.SpecType == specType)
                   ?? _types.FirstOrDefault(t => t.Category == category && t.RegisteredNames.Contains(name));
        if (type is null)
        {
            return new ComponentLookup(null, null, []);
        }

        var wanted = string.IsNullOrEmpty(version) || version == "v0" ? "v1" : version;
        return new ComponentLookup(type.SpecType, type.Versions.GetValueOrDefault(wanted), [.. type.Versions.Keys]);
    }

    private static ComponentVersion ReadVersion(string specType, string category, string version, JsonElement element)
    {
        var fields = new Dictionary<string, MetadataField>(StringComparer.Ordinal);
        foreach (var field in element.GetProperty("fields").EnumerateObject())
        {
            var f = field.Value;
            fields[field.Name] = new MetadataField(
                field.Name,
                f.TryGetProperty("type", out var type) ? type.GetString() ?? "string" : "string",
                f.TryGetProperty("required", out var required) && required.GetBoolean(),
                f.TryGetProperty("sensitive", out var sensitive) && sensitive.GetBoolean(),
                f.TryGetProperty("default", out var def) ? def.GetString() : null,
                Strings(f, "allowedValues"),
                f.TryGetProperty("origin", out var origin) ? origin.GetString() : null,
                f.TryGetProperty("deprecatedPerDescription", out var deprecated) && deprecated.GetBoolean(),
                f.TryGetProperty("replacedBy", out var replacedBy) ? replacedBy.GetString() : null);
        }

        // Runtime built-ins are listed in index.json already; the whitelist adds any the index lacks.
        foreach (var builtin in DaprRuntimeMetadata.For(category))
        {
            if (!fields.Keys.Any(k => string.Equals(k, builtin.Name, StringComparison.OrdinalIgnoreCase)))
            {
                fields[builtin.Name] = builtin;
            }
        }

        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        if (element.TryGetProperty("aliases", out var aliasElement))
        {
            foreach (var alias in aliasElement.EnumerateObject())
            {
                aliases[alias.Name] = alias.Value.GetProperty("canonical").GetString()!;
            }
        }

        var profiles = new List<AuthProfile>();
        if (element.TryGetProperty("authProfiles", out var profileElement))
        {
            foreach (var profile in profileElement.EnumerateArray())
            {
                profiles.Add(new AuthProfile(profile.GetProperty("title").GetString()!, Strings(profile, "required"), Strings(profile, "optional")));
            }
        }

        return new ComponentVersion(
            specType,
            version,
            element.TryGetProperty("status", out var status) ? status.GetString() ?? "" : "",
            Strings(element, "capabilities"),
            fields,
            Strings(element, "requiredAlways"),
            profiles,
            aliases,
            Strings(element, "runtimeChecks"));
    }

    private sealed record ComponentType(
        string SpecType,
        string Category,
        IReadOnlyList<string> RegisteredNames,
        IReadOnlyDictionary<string, ComponentVersion> Versions);

    private static string[] Strings(JsonElement element, string property) =>
        element.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array
            ? [.. array.EnumerateArray().Select(e => e.GetString()!)]
            : [];
}

/// <param name="SpecType">Canonical spec.type, null when the type is unknown.</param>
/// <param name="Version">The resolved version, null when the type or the version is unknown.</param>
/// <param name="AvailableVersions">Versions the catalog knows for the type.</param>
public sealed record ComponentLookup(string? SpecType, ComponentVersion? Version, IReadOnlyList<string> AvailableVersions);
