using Newtonsoft.Json.Linq;

namespace DaprOrders.Deployment.Validation;

/// <summary>
/// Checks Helm values files without helm (schema set helm-values/SOURCE.md): the chart's own
/// values.schema.json if it has one, and each subchart override block (a top-level key named like a chart in
/// helm-values/, e.g. <c>rabbitmq:</c>) against that chart's values.schema.json, plus a warning for keys that
/// the upstream values.yaml does not have where it lists its keys explicitly.
/// An override file (<c>values-dev.yaml</c> next to a <c>values.yaml</c>) is checked the way Helm checks it:
/// merged over the chart's values.yaml (maps merge, lists and scalars replace, null deletes), then validated.
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

    /// <summary>Validates a values file of the chart in the file's own folder.</summary>
    public IReadOnlyList<Finding> Validate(string valuesFile, string displayPath) =>
        Validate(valuesFile, displayPath, Path.GetDirectoryName(valuesFile)!);

    /// <summary>
    /// Validates a values file against the chart in <paramref name="chartDirectory"/>: its values.schema.json
    /// (applied to the values merged over the chart's values.yaml unless the file IS that values.yaml) and the
    /// upstream subchart data for each dependency block.
    /// </summary>
    public IReadOnlyList<Finding> Validate(string valuesFile, string displayPath, string chartDirectory)
    {
        var findings = new List<Finding>();
        var documents = YamlResourceReader.ReadFile(valuesFile, displayPath, findings);
        if (documents.Count == 0)
        {
            return findings;
        }

        var values = documents[0];
        var merged = MergedWithChartDefaults(values, valuesFile, chartDirectory);
        var chartSchema = Path.Combine(chartDirectory, "values.schema.json");
        if (File.Exists(chartSchema))
        {
            findings.AddRange(DaprResourceValidator.SchemaFindings(merged, _schemas.LoadFile(chartSchema)));
        }

        var dependencies = DependencyCharts(chartDirectory);
        foreach (var (key, block) in values.Json as JObject ?? [])
        {
            // With a Chart.yaml only its dependencies (by alias or name) are subcharts; a key such as `dapr:` in the
            // parent's own values is not the dapr chart. Without one, any chart in helm-values/ is assumed.
            var chart = dependencies is null ? key : dependencies.GetValueOrDefault(key);
            if (block is not JObject overrides || chart is null || UpstreamChart(chart) is not { } upstream)
            {
                continue;
            }

            var upstreamSchema = Path.Combine(upstream, "values.schema.json");
            if (File.Exists(upstreamSchema) && merged.Json[key] is JObject mergedBlock)
            {
                var section = merged with { Json = mergedBlock };
                findings.AddRange(DaprResourceValidator.SchemaFindings(section, _schemas.LoadFile(upstreamSchema))
                    .Select(f => f with { Code = FindingCodes.HelmValues, Message = $"{key}: {f.Message} (subchart schema {Path.GetFileName(upstream)})" }));
            }

            var upstreamValues = Path.Combine(upstream, "values.yaml");
            if (File.Exists(upstreamValues))
            {
                var defaults = YamlResourceReader.ReadFile(upstreamValues, upstreamValues, []).FirstOrDefault()?.Json;
                // `enabled` at the root of a dependency block is the parent's Chart.yaml condition, read by Helm itself.
                var compared = new JObject(overrides.Properties().Where(p => p.Name != "enabled"));
                CompareKeys(values, overrides, compared, defaults as JObject, key, Path.GetFileName(upstream), findings);
            }
        }

        return findings;
    }

    /// <summary>
    /// Validates a values file given to an upstream chart directly (<c>helm install -f k8s/dapr-values.yaml dapr/dapr</c>):
    /// every key must exist in that chart's values.yaml; a top-level block named after one of its subcharts
    /// (dapr_sidecar_injector) is compared with the subchart's values (saved as <c>&lt;subchart&gt;.values.yaml</c>).
    /// </summary>
    public IReadOnlyList<Finding> ValidateForUpstreamChart(string valuesFile, string displayPath, string chart)
    {
        var findings = new List<Finding>();
        var values = YamlResourceReader.ReadFile(valuesFile, displayPath, findings).FirstOrDefault();
        if (values is null)
        {
            return findings;
        }

        if (UpstreamChart(chart) is not { } upstream)
        {
            findings.Add(values.Finding(FindingSeverity.Error, FindingCodes.HelmValues, null,
                $"no upstream values for chart '{chart}' under helm-values/; add them to the schema set"));
            return findings;
        }

        var chartName = Path.GetFileName(upstream);
        var defaults = YamlResourceReader.ReadFile(Path.Combine(upstream, "values.yaml"), chartName, []).FirstOrDefault()?.Json as JObject;
        var root = values.Json as JObject ?? [];
        var chartKeys = new JObject();
        foreach (var property in root.Properties())
        {
            var subchartValues = Path.Combine(upstream, property.Name + ".values.yaml");
            if (File.Exists(subchartValues) && property.Value is JObject block)
            {
                var subchartDefaults = YamlResourceReader.ReadFile(subchartValues, subchartValues, []).FirstOrDefault()?.Json as JObject;
                CompareKeys(values, block, block, subchartDefaults, property.Name, $"{chartName}/{property.Name}", findings, FindingSeverity.Error);
            }
            else
            {
                chartKeys.Add(new JProperty(property.Name, property.Value));
            }
        }

        CompareKeys(values, root, chartKeys, defaults, chart, chartName, findings, FindingSeverity.Error);
        return findings;
    }

    /// <summary>Values key → chart name of each dependency in the chart's Chart.yaml, or null without a Chart.yaml.</summary>
    private static Dictionary<string, string>? DependencyCharts(string chartDirectory)
    {
        var chartFile = Path.Combine(chartDirectory, "Chart.yaml");
        if (!File.Exists(chartFile))
        {
            return null;
        }

        var chart = YamlResourceReader.ReadFile(chartFile, chartFile, []).FirstOrDefault()?.Json;
        return (chart?["dependencies"] as JArray ?? [])
            .OfType<JObject>()
            .Where(d => d["name"]?.Type == JTokenType.String)
            .ToDictionary(d => (string?)d["alias"] ?? (string)d["name"]!, d => (string)d["name"]!, StringComparer.Ordinal);
    }

    /// <summary>Helm's merge of user values over chart defaults: maps merge key by key, anything else replaces, null deletes.</summary>
    public static JToken Merge(JToken defaults, JToken overrides)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        ArgumentNullException.ThrowIfNull(overrides);
        if (defaults is not JObject baseObject || overrides is not JObject overrideObject)
        {
            return overrides.DeepClone();
        }

        var result = (JObject)baseObject.DeepClone();
        foreach (var property in overrideObject.Properties())
        {
            if (property.Value.Type == JTokenType.Null)
            {
                result.Remove(property.Name);
            }
            else
            {
                result[property.Name] = result[property.Name] is { } existing ? Merge(existing, property.Value) : property.Value.DeepClone();
            }
        }

        return result;
    }

    private static YamlResource MergedWithChartDefaults(YamlResource values, string valuesFile, string chartDirectory)
    {
        var chartValues = Path.Combine(chartDirectory, "values.yaml");
        if (!File.Exists(chartValues) || Path.GetFullPath(chartValues) == Path.GetFullPath(valuesFile))
        {
            return values;
        }

        var defaults = YamlResourceReader.ReadFile(chartValues, chartValues, []).FirstOrDefault()?.Json;
        // DeepClone keeps the YAML position annotations, so findings still point at the override's lines.
        return defaults is null ? values : values with { Json = Merge(defaults, values.Json) };
    }

    private string? UpstreamChart(string key) =>
        Directory.Exists(_helmValuesDirectory)
            ? Directory.EnumerateDirectories(_helmValuesDirectory)
                .FirstOrDefault(d => Path.GetFileName(d).StartsWith(key + "-", StringComparison.Ordinal)
                                     && Path.GetFileName(d).Length > key.Length + 1
                                     && char.IsDigit(Path.GetFileName(d)[key.Length + 1]))
            : null;

    private static void CompareKeys(YamlResource file, JObject located, JObject overrides, JObject? defaults, string path, string chart,
        List<Finding> findings, FindingSeverity severity = FindingSeverity.Warning)
    {
        // An empty upstream map (podAnnotations: {}) accepts any key; only compare where upstream lists keys.
        if (defaults is null || !defaults.HasValues)
        {
            return;
        }

        foreach (var (key, value) in overrides)
        {
            var at = located.Property(key) ?? (JToken)located;
            if (defaults[key] is null)
            {
                findings.Add(file.Finding(severity, FindingCodes.HelmValues, at,
                    $"{path}.{key} does not exist in {chart}'s values.yaml; the chart probably ignores it"));
            }
            else if (value is JObject nested)
            {
                CompareKeys(file, located[key] as JObject ?? nested, nested, defaults[key] as JObject, $"{path}.{key}", chart, findings, severity);
            }
        }
    }
}
