using Newtonsoft.Json.Linq;
using YamlDotNet.RepresentationModel;

namespace DaprOrders.Deployment.Validation;

/// <summary>
/// Checks Helm values files without helm (schema set helm-values/SOURCE.md): the chart's own
/// values.schema.json if it has one, and each subchart override block (a top-level key named like a chart in
/// helm-values/, e.g. <c>rabbitmq:</c>) against that chart's values.schema.json, plus a warning for keys that
/// the upstream values.yaml does not have where it lists its keys explicitly.
/// </summary>
public sealed class HelmValuesValidator
{
    private readonly ResourceSchemaCatalog _schemas;
    private readonly string _helmValuesDirectory;

    public HelmValuesValidator(ResourceSchemaCatalog schemas, string schemaDirectory)
    {
        _schemas = schemas;
        _helmValuesDirectory = Path.Combine(schemaDirectory, "helm-values");
    }

    public IReadOnlyList<Finding> Validate(string valuesFile, string displayPath)
    {
        var findings = new List<Finding>();
        var documents = YamlResourceReader.ReadFile(valuesFile, displayPath, findings);
        if (documents.Count == 0)
        {
            return findings;
        }

        var values = documents[0];
        var chartSchema = Path.Combine(Path.GetDirectoryName(valuesFile)!, "values.schema.json");
        if (File.Exists(chartSchema))
        {
            findings.AddRange(DaprResourceValidator.SchemaFindings(values, _schemas.LoadFile(chartSchema)));
        }

        foreach (var (key, block) in values.Json as JObject ?? [])
        {
            if (block is not JObject overrides || UpstreamChart(key) is not { } upstream)
            {
                continue;
            }

            var upstreamSchema = Path.Combine(upstream, "values.schema.json");
            if (File.Exists(upstreamSchema))
            {
                var section = values with { Json = overrides };
                findings.AddRange(DaprResourceValidator.SchemaFindings(section, _schemas.LoadFile(upstreamSchema))
                    .Select(f => f with { Code = FindingCodes.HelmValues, Message = $"{key}: {f.Message} (subchart schema {Path.GetFileName(upstream)})" }));
            }

            var upstreamValues = Path.Combine(upstream, "values.yaml");
            if (File.Exists(upstreamValues))
            {
                var defaults = YamlResourceReader.ReadFile(upstreamValues, upstreamValues, []).FirstOrDefault()?.Json;
                CompareKeys(values, overrides, defaults as JObject, key, Path.GetFileName(upstream), findings);
            }
        }

        return findings;
    }

    private string? UpstreamChart(string key) =>
        Directory.Exists(_helmValuesDirectory)
            ? Directory.EnumerateDirectories(_helmValuesDirectory)
                .FirstOrDefault(d => Path.GetFileName(d).StartsWith(key + "-", StringComparison.Ordinal)
                                     && char.IsDigit(Path.GetFileName(d)[key.Length + 1]))
            : null;

    private static void CompareKeys(YamlResource file, JObject overrides, JObject? defaults, string path, string chart, List<Finding> findings)
    {
        // An empty upstream map (podAnnotations: {}) accepts any key; only compare where upstream lists keys.
        if (defaults is null || !defaults.HasValues)
        {
            return;
        }

        foreach (var (key, value) in overrides)
        {
            if (defaults[key] is null)
            {
                findings.Add(file.Finding(FindingSeverity.Warning, FindingCodes.HelmValues, overrides.Property(key),
                    $"{path}.{key} does not exist in {chart}'s values.yaml; the chart probably ignores it"));
            }
            else if (value is JObject nested)
            {
                CompareKeys(file, nested, defaults[key] as JObject, $"{path}.{key}", chart, findings);
            }
        }
    }
}
