using System.Globalization;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;

namespace DaprOrders.Deployment.Validation;

/// <summary>
/// Renders chart files that Helm passes through <c>tpl</c> but that are written to need no template logic: the
/// only actions allowed are <c>{{ .Release.Namespace }}</c>, <c>{{ .Release.Name }}</c> and
/// <c>{{ .Values.a.b }}</c> naming a scalar. Anything else is a finding, which keeps such files (the chart's
/// Dapr resources) comparable with their self-hosted originals without helm.
/// </summary>
public static partial class SimpleTemplateRenderer
{
    public static string Render(string text, string file, JObject values, string releaseNamespace, string releaseName, List<Finding> findings)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(findings);
        var rendered = AllowedAction().Replace(text, match =>
        {
            var expression = match.Groups["expr"].Value;
            if (expression == ".Release.Namespace")
            {
                return releaseNamespace;
            }

            if (expression == ".Release.Name")
            {
                return releaseName;
            }

            var token = values.SelectToken(expression[".Values.".Length..]);
            if (token is JValue { Value: not null } scalar)
            {
                return scalar.Type == JTokenType.Boolean
                    ? ((bool)scalar ? "true" : "false")
                    : Convert.ToString(scalar.Value, CultureInfo.InvariantCulture)!;
            }

            findings.Add(Error(file, text, match.Index, $"{expression} is not a scalar in the values"));
            return match.Value;
        });

        foreach (Match leftover in AnyAction().Matches(rendered))
        {
            findings.Add(Error(file, rendered, leftover.Index,
                $"'{leftover.Value}' is not allowed here: only .Release.Namespace, .Release.Name and .Values paths"));
        }

        return rendered;
    }

    /// <summary>The <c>.Values</c> paths a file uses (without the <c>.Values.</c> prefix).</summary>
    public static IReadOnlySet<string> ValuesPaths(string text) =>
        AllowedAction().Matches(text)
            .Select(m => m.Groups["expr"].Value)
            .Where(e => e.StartsWith(".Values.", StringComparison.Ordinal))
            .Select(e => e[".Values.".Length..])
            .ToHashSet(StringComparer.Ordinal);

    private static Finding Error(string file, string text, int index, string message) =>
        new(FindingSeverity.Error, FindingCodes.HelmTemplate, file, 0, text.AsSpan(0, index).Count('\n') + 1, "", message);

    [GeneratedRegex(@"\{\{\s*(?<expr>\.Release\.Namespace|\.Release\.Name|\.Values(?:\.[A-Za-z_]\w*)+)\s*\}\}")]
    private static partial Regex AllowedAction();

    [GeneratedRegex(@"\{\{.*?\}\}")]
    private static partial Regex AnyAction();
}
