using System.Collections.Concurrent;
using NJsonSchema;

namespace DaprOrders.Deployment.Validation;

/// <summary>
/// Strict JSON schemas by apiVersion/kind: Dapr CRDs (dapr/strict), Kubernetes v1.33.1 standalone-strict,
/// kind and ctlptl cluster configs. Schemas are parsed on first use and cached; the Kubernetes ones are large.
/// </summary>
public sealed class ResourceSchemaCatalog
{
    public const string KubernetesSchemaFolder = "kubernetes/v1.33.1-standalone-strict";

    private readonly string _root;
    private readonly ConcurrentDictionary<string, Lazy<JsonSchema?>> _cache = new(StringComparer.Ordinal);

    public ResourceSchemaCatalog(string schemaDirectory)
    {
        _root = schemaDirectory;
    }

    /// <summary>The schema file for a resource, or null when this catalog has none for it.</summary>
    public string? SchemaFileFor(string apiVersion, string kind)
    {
        ArgumentNullException.ThrowIfNull(apiVersion);
        ArgumentNullException.ThrowIfNull(kind);
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var group = slash < 0 ? "" : apiVersion[..slash];
        var version = slash < 0 ? apiVersion : apiVersion[(slash + 1)..];

        string relative = group switch
        {
            "dapr.io" => $"dapr/strict/{kind.ToLowerInvariant()}.{version}.json",
            "kind.x-k8s.io" when kind == "Cluster" => $"kind/cluster.{version}.json",
            "ctlptl.dev" => $"ctlptl/ctlptl.{version}.json",
            // yannh/kubeconform naming: <kind>-<first label of group>-<version>.json, <kind>-<version>.json for core.
            "" => $"{KubernetesSchemaFolder}/{kind.ToLowerInvariant()}-{version}.json",
            _ => $"{KubernetesSchemaFolder}/{kind.ToLowerInvariant()}-{group.Split('.')[0]}-{version}.json",
        };

        var full = Path.Combine(_root, relative);
        return File.Exists(full) ? full : null;
    }

    public JsonSchema? SchemaFor(string apiVersion, string kind)
    {
        var file = SchemaFileFor(apiVersion, kind);
        return file is null
            ? null
            : _cache.GetOrAdd(file, f => new Lazy<JsonSchema?>(() => JsonSchema.FromFileAsync(f).GetAwaiter().GetResult())).Value;
    }

    /// <summary>Any JSON schema below the schema directory (for example a Helm chart's values.schema.json).</summary>
    public JsonSchema LoadFile(string path) =>
        _cache.GetOrAdd(Path.GetFullPath(path), f => new Lazy<JsonSchema?>(() => JsonSchema.FromFileAsync(f).GetAwaiter().GetResult())).Value!;
}
