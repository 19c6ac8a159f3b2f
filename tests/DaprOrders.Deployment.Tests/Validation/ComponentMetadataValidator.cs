using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;

namespace DaprOrders.Deployment.Validation;

/// <summary>
/// Checks a Component's spec.type/spec.version and every metadata entry against the components-contrib
/// catalog: unknown (misspelt) names, aliases and case, required fields and auth profiles, allowedValues,
/// value types as daprd parses them, plain-text secrets, and the init-time checks the Go code performs.
/// daprd itself silently ignores unknown names, which is why this matters.
/// </summary>
public sealed partial class ComponentMetadataValidator
{
    private readonly ComponentMetadataCatalog _catalog;

    public ComponentMetadataValidator(ComponentMetadataCatalog catalog)
    {
        _catalog = catalog;
    }

    public IReadOnlyList<Finding> Validate(YamlResource component)
    {
        ArgumentNullException.ThrowIfNull(component);
        var findings = new List<Finding>();
        if (component.Json["spec"] is not JObject spec || spec["type"] is not JValue { Type: JTokenType.String } typeToken)
        {
            return findings; // the CRD schema reports the missing spec.type
        }

        var type = (string)typeToken!;
        var requestedVersion = spec["version"]?.Type == JTokenType.String ? (string?)spec["version"] : null;
        var lookup = _catalog.Find(type, requestedVersion);
        if (lookup.SpecType is null)
        {
            findings.Add(component.Finding(FindingSeverity.Error, FindingCodes.UnknownComponentType, typeToken,
                $"spec.type '{type}' is not a component known to {_catalog.Source}{Suggest(type, _catalog.SpecTypes)}"));
            return findings;
        }

        if (lookup.Version is not { } version)
        {
            findings.Add(component.Finding(FindingSeverity.Error, FindingCodes.UnknownComponentVersion, spec["version"] ?? typeToken,
                $"{lookup.SpecType} has no version '{requestedVersion}'; known: {string.Join(", ", lookup.AvailableVersions)}"));
            return findings;
        }

        var entries = ReadEntries(spec["metadata"] as JArray);
        CheckDuplicates(component, entries, findings);
        foreach (var entry in entries)
        {
            CheckEntry(component, version, entry, findings);
        }

        bool IsSet(string name) => entries.Any(e =>
            (string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase)
             || string.Equals(version.CanonicalNameOfAlias(e.Name), name, StringComparison.OrdinalIgnoreCase))
            && (e.HasReference || !string.IsNullOrEmpty(e.Value)));

        foreach (var required in version.RequiredAlways.Where(r => !IsSet(r)))
        {
            findings.Add(component.Finding(FindingSeverity.Error, FindingCodes.MissingRequired, spec["metadata"] ?? spec,
                $"required metadata '{required}' of {version.SpecType} {version.Version} is missing"));
        }

        if (version.AuthProfiles.Count > 0 && !version.AuthProfiles.Any(p => p.Required.All(IsSet)))
        {
            var options = string.Join("; ", version.AuthProfiles.Select(p => $"{p.Title} [{string.Join(", ", p.Required)}]"));
            findings.Add(component.Finding(FindingSeverity.Error, FindingCodes.AuthProfile, spec["metadata"] ?? spec,
                $"no authentication profile of {version.SpecType} is satisfied; set the required fields of one of: {options}"));
        }

        if (entries.Any(e => e.SecretKeyRef is not null) && component.Json.SelectToken("auth.secretStore") is null)
        {
            findings.Add(component.Finding(FindingSeverity.Error, FindingCodes.MissingSecretStore, spec,
                "metadata uses secretKeyRef but the component has no auth.secretStore (a sibling of spec); name the secret store explicitly"));
        }

        string? Inline(string name) => entries.FirstOrDefault(e =>
            string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase) && e.Value is not null)?.Value;

        foreach (var (field, message) in ComponentRuntimeRules.Check(version, Inline, IsSet))
        {
            var at = entries.FirstOrDefault(e => string.Equals(e.Name, field, StringComparison.OrdinalIgnoreCase))?.Item ?? spec["metadata"] ?? spec;
            findings.Add(component.Finding(FindingSeverity.Error, FindingCodes.RuntimeCheck, at, message));
        }

        return findings;
    }

    private static void CheckDuplicates(YamlResource component, IReadOnlyList<MetadataEntry> entries, List<Finding> findings)
    {
        foreach (var group in entries.GroupBy(e => e.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            var names = group.Select(e => e.Name).Distinct(StringComparer.Ordinal).ToList();
            var message = names.Count == 1
                ? $"metadata '{group.Key}' is declared {group.Count()} times"
                : $"metadata names {string.Join(", ", names.Select(n => $"'{n}'"))} differ only by case; daprd rejects the component (\"key is duplicate\")";
            findings.Add(component.Finding(FindingSeverity.Error, FindingCodes.DuplicateMetadata, group.Skip(1).First().Item, message));
        }
    }

    private void CheckEntry(YamlResource component, ComponentVersion version, MetadataEntry entry, List<Finding> findings)
    {
        var sources = (entry.ValueToken is not null ? 1 : 0) + (entry.SecretKeyRef is not null ? 1 : 0) + (entry.EnvRef is not null ? 1 : 0);
        if (sources != 1)
        {
            findings.Add(component.Finding(FindingSeverity.Error, FindingCodes.MetadataValueSource, entry.Item,
                sources == 0
                    ? $"metadata '{entry.Name}' has no value, secretKeyRef or envRef"
                    : $"metadata '{entry.Name}' sets more than one of value, secretKeyRef and envRef"));
        }

        if (entry.ValueToken is { Type: not JTokenType.String } nonString)
        {
            findings.Add(component.Finding(FindingSeverity.Error, FindingCodes.MetadataValueNotString, nonString,
                $"value of '{entry.Name}' is a YAML {Describe(nonString)} ({nonString.ToString(Newtonsoft.Json.Formatting.None)}); daprd reads every metadata value as a string, so quote it"));
        }

        var field = version.FindField(entry.Name);
        var displayType = $"{version.SpecType} {version.Version}";
        if (field is null)
        {
            var canonical = version.CanonicalNameOfAlias(entry.Name);
            if (canonical is null)
            {
                findings.Add(component.Finding(FindingSeverity.Error, FindingCodes.UnknownMetadata, entry.Item,
                    $"unknown metadata name '{entry.Name}' for {displayType}; daprd ignores unknown names silently{Suggest(entry.Name, version.Fields.Keys)}"));
                return;
            }

            findings.Add(component.Finding(FindingSeverity.Warning, FindingCodes.MetadataAlias, entry.Item,
                $"'{entry.Name}' is a legacy alias of '{canonical}' for {displayType}; daprd accepts it, write '{canonical}'"));
            field = version.FindField(canonical);
            if (field is null)
            {
                return;
            }
        }
        else if (!string.Equals(field.Name, entry.Name, StringComparison.Ordinal))
        {
            findings.Add(component.Finding(FindingSeverity.Warning, FindingCodes.MetadataNameCase, entry.Item,
                $"'{entry.Name}' matches '{field.Name}' of {displayType} only case-insensitively; daprd accepts it, write '{field.Name}'"));
        }

        if (field.Deprecated)
        {
            findings.Add(component.Finding(FindingSeverity.Warning, FindingCodes.DeprecatedMetadata, entry.Item,
                $"'{field.Name}' is deprecated for {displayType}{(field.ReplacedBy is null ? "" : $"; use '{field.ReplacedBy}'")}"));
        }

        if (entry.Value is not { } value)
        {
            return;
        }

        if ((field.Sensitive || SecretLikeName().IsMatch(field.Name)) && value.Length > 0)
        {
            findings.Add(component.Finding(FindingSeverity.Error, FindingCodes.PlaintextSecret, entry.ValueToken,
                $"'{field.Name}' is sensitive and must come from a secret store (secretKeyRef + auth.secretStore), not an inline value"));
        }

        if (value.Length > 0 && !IsOfType(field.Type, value))
        {
            findings.Add(component.Finding(FindingSeverity.Error, FindingCodes.MetadataType, entry.ValueToken,
                $"'{field.Name}' must be a {DescribeType(field.Type)}, got '{value}'"));
        }

        if (field.AllowedValues.Count > 0 && value.Length > 0 && !field.AllowedValues.Contains(value, StringComparer.Ordinal))
        {
            findings.Add(component.Finding(FindingSeverity.Error, FindingCodes.MetadataAllowedValues, entry.ValueToken,
                $"'{value}' is not an allowed value of '{field.Name}'; allowed: {string.Join(", ", field.AllowedValues)}"));
        }
    }

    private static bool IsOfType(string type, string value) => type switch
    {
        "bool" => GoValueSyntax.IsBool(value),
        "number" => GoValueSyntax.IsNumber(value),
        "duration" => GoValueSyntax.IsDuration(value),
        "bytesize" => GoValueSyntax.IsQuantity(value),
        _ => true,
    };

    private static string DescribeType(string type) => type switch
    {
        "bool" => "boolean (Go strconv.ParseBool: true, false, 1, 0, t, f)",
        "number" => "number",
        "duration" => "Go duration such as \"10s\" or \"1m30s\" (or whole number)",
        "bytesize" => "byte size such as \"4Mi\"",
        _ => type,
    };

    private static string Describe(JToken token) => token.Type switch
    {
        JTokenType.Boolean => "boolean",
        JTokenType.Integer or JTokenType.Float => "number",
        JTokenType.Null => "null",
        JTokenType.Object => "mapping",
        JTokenType.Array => "sequence",
        _ => token.Type.ToString().ToLowerInvariant(),
    };

    internal static string Suggest(string name, IEnumerable<string> candidates)
    {
        var best = candidates
            .Select(c => (Candidate: c, Distance: EditDistance(name.ToLowerInvariant(), c.ToLowerInvariant())))
            .Where(c => c.Distance <= Math.Max(2, name.Length / 4))
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Candidate, StringComparer.Ordinal)
            .FirstOrDefault();
        return best.Candidate is null ? "" : $". Did you mean '{best.Candidate}'?";
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static List<MetadataEntry> ReadEntries(JArray? items)
    {
        var entries = new List<MetadataEntry>();
        foreach (var item in items?.OfType<JObject>() ?? [])
        {
            if (item["name"] is not JValue { Type: JTokenType.String } name)
            {
                continue; // the CRD schema reports it
            }

            var valueToken = item["value"];
            entries.Add(new MetadataEntry(
                (string)name!,
                item,
                valueToken,
                valueToken switch
                {
                    null or { Type: JTokenType.Null } => null,
                    { Type: JTokenType.String } => (string?)valueToken,
                    { Type: JTokenType.Boolean } => (bool)valueToken ? "true" : "false",
                    JValue v => Convert.ToString(v.Value, System.Globalization.CultureInfo.InvariantCulture),
                    _ => valueToken.ToString(Newtonsoft.Json.Formatting.None),
                },
                item["secretKeyRef"],
                item["envRef"]));
        }

        return entries;
    }

    private sealed record MetadataEntry(string Name, JObject Item, JToken? ValueToken, string? Value, JToken? SecretKeyRef, JToken? EnvRef)
    {
        public bool HasReference => SecretKeyRef is not null || EnvRef is not null;
    }

    // Belt and braces for fields metadata.yaml forgot to mark sensitive.
    [GeneratedRegex("(password|secret|token|passphrase)$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretLikeName();
}
