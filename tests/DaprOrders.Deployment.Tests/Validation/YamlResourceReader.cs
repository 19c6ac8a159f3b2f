using System.Globalization;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DaprOrders.Deployment.Validation;

/// <summary>One YAML document, converted to JSON for schema validation.</summary>
/// <param name="File">Display path (repository-relative where possible).</param>
/// <param name="Document">Zero-based index of the document within the file.</param>
/// <param name="Line">Line where the document starts.</param>
/// <param name="Json">The document as JSON; every token carries its <see cref="YamlPosition"/> as an annotation.</param>
public sealed record YamlResource(string File, int Document, int Line, JToken Json)
{
    public string? ApiVersion => (Json as JObject)?["apiVersion"]?.Type == JTokenType.String ? (string?)Json["apiVersion"] : null;

    public string? Kind => (Json as JObject)?["kind"]?.Type == JTokenType.String ? (string?)Json["kind"] : null;

    public string? Name => Json.SelectToken("metadata.name")?.Type == JTokenType.String ? (string?)Json.SelectToken("metadata.name") : null;

    public bool IsResource => ApiVersion is not null && Kind is not null;

    public override string ToString() => $"{File}#{Document} {Kind}/{Name}";

    /// <summary>The line of a token inside <see cref="Json"/> (0 when unknown).</summary>
    public static int LineOf(JToken? token)
    {
        for (var current = token; current is not null; current = current.Parent)
        {
            if (current.Annotation<YamlPosition>() is { } position)
            {
                return position.Line;
            }
        }

        return 0;
    }

    public Finding Finding(FindingSeverity severity, string code, JToken? at, string message) =>
        new(severity, code, File, Document, at is null ? Line : Math.Max(LineOf(at), Line), at?.Path ?? "", message);
}

/// <summary>Where a JSON token came from in the YAML text.</summary>
public sealed record YamlPosition(int Line);

/// <summary>
/// Reads YAML files into JSON the way Kubernetes and daprd see them: plain scalars are typed by the YAML 1.2
/// core schema (<c>2</c> is an integer, <c>true</c> a boolean, <c>~</c> null), quoted and block scalars are
/// strings, explicit tags win. Without this every scalar would be a string and integer fields would fail.
/// </summary>
public static partial class YamlResourceReader
{
    public static IReadOnlyList<YamlResource> ReadFile(string path, string displayPath, List<Finding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        using var reader = File.OpenText(path);
        return Read(reader, displayPath, findings);
    }

    public static IReadOnlyList<YamlResource> ReadText(string yaml, string displayPath, List<Finding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        using var reader = new StringReader(yaml);
        return Read(reader, displayPath, findings);
    }

    private static List<YamlResource> Read(TextReader reader, string displayPath, List<Finding> findings)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(reader);
        }
        catch (YamlException ex)
        {
            // Duplicate keys surface here too: Kubernetes (strict decoding) and kind reject them.
            findings.Add(new Finding(FindingSeverity.Error, FindingCodes.YamlSyntax, displayPath, 0, (int)ex.Start.Line, "",
                ex.InnerException?.Message ?? ex.Message));
            return [];
        }

        var resources = new List<YamlResource>();
        for (var i = 0; i < stream.Documents.Count; i++)
        {
            var root = stream.Documents[i].RootNode;
            if (root is YamlScalarNode scalar && IsNullScalar(scalar))
            {
                continue; // an empty document between two `---`
            }

            resources.Add(new YamlResource(displayPath, i, (int)root.Start.Line, ToJson(root)));
            foreach (var ambiguous in root.AllNodes.OfType<YamlScalarNode>().Where(IsYaml11Boolean))
            {
                findings.Add(new Finding(FindingSeverity.Error, FindingCodes.Yaml11Boolean, displayPath, i, (int)ambiguous.Start.Line, "",
                    $"plain '{ambiguous.Value}' is a boolean in YAML 1.1, which Kubernetes, Helm and daprd (go-yaml) use; quote it or write true/false"));
            }
        }

        return resources;
    }

    private static bool IsYaml11Boolean(YamlScalarNode scalar) =>
        scalar.Style == ScalarStyle.Plain && scalar.Tag.IsEmpty
        && scalar.Value is "y" or "Y" or "yes" or "Yes" or "YES" or "n" or "N" or "no" or "No" or "NO"
            or "on" or "On" or "ON" or "off" or "Off" or "OFF";

    public static JToken ToJson(YamlNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        JToken token = node switch
        {
            YamlMappingNode mapping => ToObject(mapping),
            YamlSequenceNode sequence => new JArray(sequence.Children.Select(ToJson)),
            YamlScalarNode scalar => ToScalar(scalar),
            _ => throw new NotSupportedException($"Unsupported YAML node {node.NodeType}"),
        };
        token.AddAnnotation(new YamlPosition((int)node.Start.Line));
        return token;
    }

    private static JObject ToObject(YamlMappingNode mapping)
    {
        var result = new JObject();
        foreach (var (key, value) in mapping.Children)
        {
            var name = key is YamlScalarNode k ? k.Value ?? "" : key.ToString();
            var property = new JProperty(name, ToJson(value));
            property.AddAnnotation(new YamlPosition((int)key.Start.Line));
            result.Add(property);
        }

        return result;
    }

    private static JValue ToScalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        switch (tag)
        {
            case "tag:yaml.org,2002:str":
                return new JValue(text);
            case "tag:yaml.org,2002:null":
                return JValue.CreateNull();
            case "tag:yaml.org,2002:bool":
                return new JValue(bool.Parse(text));
            case "tag:yaml.org,2002:int":
                return ParseInteger(text) ?? throw new FormatException($"'{text}' is tagged !!int");
            case "tag:yaml.org,2002:float":
                return new JValue(double.Parse(text, CultureInfo.InvariantCulture));
            case null or "?" or "!":
                break;
            default:
                return new JValue(text);
        }

        if (scalar.Style != ScalarStyle.Plain || tag == "!")
        {
            return new JValue(text);
        }

        if (IsNullScalar(scalar))
        {
            return JValue.CreateNull();
        }

        if (text is "true" or "True" or "TRUE")
        {
            return new JValue(true);
        }

        if (text is "false" or "False" or "FALSE")
        {
            return new JValue(false);
        }

        if (ParseInteger(text) is { } integer)
        {
            return integer;
        }

        if (FloatPattern().IsMatch(text))
        {
            return new JValue(double.Parse(text, CultureInfo.InvariantCulture));
        }

        return text switch
        {
            ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF" => new JValue(double.PositiveInfinity),
            "-.inf" or "-.Inf" or "-.INF" => new JValue(double.NegativeInfinity),
            ".nan" or ".NaN" or ".NAN" => new JValue(double.NaN),
            _ => new JValue(text),
        };
    }

    private static bool IsNullScalar(YamlScalarNode scalar) =>
        scalar.Style == ScalarStyle.Plain && (scalar.Tag.IsEmpty || scalar.Tag.Value == "?")
        && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static JValue? ParseInteger(string text)
    {
        if (DecimalPattern().IsMatch(text))
        {
            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                ? new JValue(value)
                : new JValue(double.Parse(text, CultureInfo.InvariantCulture));
        }

        if (text.StartsWith("0x", StringComparison.Ordinal) && text.Length > 2
            && long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
        {
            return new JValue(hex);
        }

        if (text.StartsWith("0o", StringComparison.Ordinal) && text.Length > 2 && text.Skip(2).All(c => c is >= '0' and <= '7'))
        {
            return new JValue(Convert.ToInt64(text[2..], 8));
        }

        return null;
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex DecimalPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
