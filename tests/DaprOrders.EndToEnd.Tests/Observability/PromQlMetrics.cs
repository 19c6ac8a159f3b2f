using System.Text.RegularExpressions;

namespace DaprOrders.EndToEnd.Tests.Observability;

/// <summary>Metric names read by the PromQL expressions of the dashboard and the alert rules.</summary>
internal static partial class PromQlMetrics
{
    /// <summary>
    /// daprd's own metrics the dashboard and alerts use (scraped from dapr.io/metrics-port; docs/observability.md lists
    /// them), and Prometheus' <c>up</c>. They do not come from the services, so the tests cannot derive them.
    /// </summary>
    public static readonly IReadOnlySet<string> DaprSidecarMetrics = new HashSet<string>(StringComparer.Ordinal)
    {
        "up", "dapr_component_pubsub_ingress_count", "dapr_component_pubsub_egress_count", "dapr_runtime_component_loaded",
    };

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset",
    };

    /// <summary>Identifiers that are neither functions, keywords, label names nor label values.</summary>
    public static IReadOnlySet<string> In(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var stripped = LabelMatchers().Replace(expression, " ");
        stripped = Ranges().Replace(stripped, " ");
        stripped = Grouping().Replace(stripped, " ");
        return Identifiers().Matches(stripped)
            .Select(m => m.Value)
            .Where(name => !Keywords.Contains(name))
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The <c>expr</c> values of a Prometheus rules file (single-line or block scalars).</summary>
    public static IEnumerable<string> RuleExpressions(string rulesYaml)
    {
        ArgumentNullException.ThrowIfNull(rulesYaml);
        var lines = rulesYaml.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].TrimStart();
            if (!trimmed.StartsWith("expr:", StringComparison.Ordinal))
            {
                continue;
            }

            var value = trimmed["expr:".Length..].Trim();
            if (value is not ("|" or ">" or "|-" or ">-"))
            {
                yield return value;
                continue;
            }

            var indent = lines[i].Length - trimmed.Length;
            var block = new List<string>();
            for (i++; i < lines.Length && (lines[i].Trim().Length == 0 || lines[i].Length - lines[i].TrimStart().Length > indent); i++)
            {
                block.Add(lines[i]);
            }

            i--;
            yield return string.Join('\n', block);
        }
    }

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    // Not preceded by a word character or '$' and not followed by '(' (a function call).
    [GeneratedRegex(@"(?<![\w$.])[A-Za-z_:][A-Za-z0-9_:]*(?!\w|\s*\()")]
    private static partial Regex Identifiers();
}
