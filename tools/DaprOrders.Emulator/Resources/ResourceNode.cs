using YamlDotNet.RepresentationModel;

namespace DaprOrders.Emulator.Resources;

/// <summary>A resource file could not be used; the message names the file and the field.</summary>
public sealed class ResourceLoadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A YAML node of a resource file that remembers where it came from and which mapping keys were read, so that any
/// field the emulator does not understand stops startup with its path and file instead of being ignored.
/// Keys match case-insensitively, as daprd's YAML-to-JSON decoding does.
/// </summary>
internal sealed class ResourceNode(YamlNode node, string path, string file)
{
    private readonly HashSet<string> _read = new(StringComparer.OrdinalIgnoreCase);

    public string Path { get; } = path;

    public string File { get; } = file;

    public bool IsMapping => node is YamlMappingNode;

    public ResourceNode? Optional(string key)
    {
        _read.Add(key);
        if (node is not YamlMappingNode mapping)
        {
            throw Error($"expected a mapping at {Describe(Path)}");
        }

        foreach (var (k, v) in mapping.Children)
        {
            if (k is YamlScalarNode scalar && string.Equals(scalar.Value, key, StringComparison.OrdinalIgnoreCase))
            {
                return v is YamlScalarNode { Value: null or "" or "~" or "null" } s && s.Style == YamlDotNet.Core.ScalarStyle.Plain
                    ? null
                    : new ResourceNode(v, Join(Path, key), File);
            }
        }

        return null;
    }

    public ResourceNode Required(string key) =>
        Optional(key) ?? throw Error($"required field {Describe(Join(Path, key))} is missing");

    public string? OptionalString(string key) => Optional(key)?.Scalar();

    public string RequiredString(string key)
    {
        var value = Required(key).Scalar();
        return value.Length > 0 ? value : throw Error($"required field {Describe(Join(Path, key))} is empty");
    }

    public string Scalar() => node is YamlScalarNode scalar
        ? scalar.Value ?? string.Empty
        : throw Error($"expected a single value at {Describe(Path)}");

    public IReadOnlyList<ResourceNode> Sequence() => node is YamlSequenceNode sequence
        ? sequence.Children.Select((child, i) => new ResourceNode(child, $"{Path}[{i}]", File)).ToList()
        : throw Error($"expected a list at {Describe(Path)}");

    public IReadOnlyList<string> StringList(string key) => Optional(key)?.Sequence().Select(n => n.Scalar()).ToList() ?? [];

    /// <summary>Every entry of a mapping whose keys are names (policy names, app-ids, metadata keys).</summary>
    public IReadOnlyList<(string Key, ResourceNode Value)> Entries()
    {
        if (node is not YamlMappingNode mapping)
        {
            throw Error($"expected a mapping at {Describe(Path)}");
        }

        var entries = new List<(string, ResourceNode)>();
        foreach (var (k, v) in mapping.Children)
        {
            var key = ((YamlScalarNode)k).Value ?? string.Empty;
            _read.Add(key);
            entries.Add((key, new ResourceNode(v, Join(Path, key), File)));
        }

        return entries;
    }

    /// <summary>Marks fields as understood without reading them (accepted, no effect in the emulator).</summary>
    public void Accept(params string[] keys)
    {
        foreach (var key in keys)
        {
            _read.Add(key);
        }
    }

    public bool Has(string key) =>
        node is YamlMappingNode mapping && mapping.Children.Keys.OfType<YamlScalarNode>().Any(k => string.Equals(k.Value, key, StringComparison.OrdinalIgnoreCase));

    /// <summary>Fails on the first mapping key nobody read.</summary>
    public void RejectUnknownFields(string what)
    {
        if (node is not YamlMappingNode mapping)
        {
            return;
        }

        foreach (var key in mapping.Children.Keys.OfType<YamlScalarNode>())
        {
            if (!_read.Contains(key.Value ?? string.Empty))
            {
                throw Error($"field {Describe(Join(Path, key.Value ?? string.Empty))} of {what} is not supported by the emulator");
            }
        }
    }

    public ResourceLoadException Error(string message) => new($"{File}: {message}");

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static string Describe(string path) => path.Length == 0 ? "(document root)" : $"'{path}'";
}
