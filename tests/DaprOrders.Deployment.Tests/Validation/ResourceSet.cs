using Newtonsoft.Json.Linq;

namespace DaprOrders.Deployment.Validation;

/// <summary>
/// The resources one daprd loads: every *.yaml/*.yml directly inside each --resources-path folder (daprd does
/// not recurse), in order. A variant such as "RabbitMQ + Redis" is a set of several folders.
/// </summary>
public sealed class ResourceSet
{
    private ResourceSet(string name, IReadOnlyList<string> folders, IReadOnlyList<YamlResource> resources)
    {
        Name = name;
        Folders = folders;
        Resources = resources;
    }

    public string Name { get; }

    public IReadOnlyList<string> Folders { get; }

    public IReadOnlyList<YamlResource> Resources { get; }

    public IEnumerable<YamlResource> Components => Resources.Where(r => r.Kind == "Component");

    public IEnumerable<YamlResource> OfKind(string kind) => Resources.Where(r => r.Kind == kind);

    public YamlResource? Component(string name) => Components.FirstOrDefault(c => c.Name == name);

    public static ResourceSet Load(string name, string repositoryRoot, IReadOnlyList<string> folders, List<Finding> findings)
    {
        ArgumentNullException.ThrowIfNull(folders);
        var resources = new List<YamlResource>();
        foreach (var folder in folders)
        {
            var full = Path.GetFullPath(Path.Combine(repositoryRoot, folder));
            if (!Directory.Exists(full))
            {
                findings.Add(new Finding(FindingSeverity.Error, FindingCodes.CrossReference, folder, 0, 0, "", $"resources path '{folder}' does not exist"));
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(full).Where(IsYaml).Order(StringComparer.Ordinal))
            {
                var display = Path.GetRelativePath(repositoryRoot, file).Replace('\\', '/');
                resources.AddRange(YamlResourceReader.ReadFile(file, display, findings));
            }
        }

        return new ResourceSet(name, folders, resources);
    }

    /// <summary>A set of documents that did not come from resources-path folders (for example a rendered Helm chart).</summary>
    public static ResourceSet FromResources(string name, IReadOnlyList<YamlResource> resources) => new(name, [], resources);

    public static bool IsYaml(string path) =>
        path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    /// <summary>Top-level <c>scopes</c> (empty means every app loads the resource).</summary>
    public static IReadOnlyList<string> ScopesOf(YamlResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return resource.Json["scopes"] is JArray scopes ? [.. scopes.Select(s => (string?)s ?? "")] : [];
    }

    public static bool IsVisibleTo(YamlResource resource, string appId)
    {
        var scopes = ScopesOf(resource);
        return scopes.Count == 0 || scopes.Contains(appId, StringComparer.Ordinal);
    }

    /// <summary>Inline metadata values of a Component (secret/env references are left out).</summary>
    public static IReadOnlyDictionary<string, string> InlineMetadata(YamlResource component)
    {
        ArgumentNullException.ThrowIfNull(component);
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in component.Json.SelectToken("spec.metadata") as JArray ?? [])
        {
            if (item["name"]?.Type == JTokenType.String && item["value"] is JValue { Value: not null } value)
            {
                result[(string)item["name"]!] = value.Type == JTokenType.Boolean
                    ? ((bool)value ? "true" : "false")
                    : Convert.ToString(value.Value, System.Globalization.CultureInfo.InvariantCulture)!;
            }
        }

        return result;
    }

    public static string SpecType(YamlResource component) => (string?)component?.Json.SelectToken("spec.type") ?? "";

    public static string Category(YamlResource component)
    {
        var type = SpecType(component);
        var dot = type.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? "" : type[..dot];
    }
}
