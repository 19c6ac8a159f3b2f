using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;

namespace DaprOrders.Deployment.Validation;

/// <summary>One <c>{{ ... }}</c> action of a Go template, with its text between the delimiters (trim markers removed).</summary>
public sealed record TemplateAction(string File, int Line, string Text)
{
    public bool IsComment => Text.StartsWith("/*", StringComparison.Ordinal);

    /// <summary>The first word (if, range, with, define, block, else, end, include, ...) or empty.</summary>
    public string Keyword
    {
        get
        {
            if (IsComment)
            {
                return "";
            }

            var end = Text.IndexOfAny([' ', '\t', '\n', '(']);
            return end < 0 ? Text : Text[..end];
        }
    }
}

/// <summary>
/// Static checks of Helm templates without helm: every action is closed, blocks pair with <c>end</c>, named
/// templates that are included are defined, and <c>.Values</c> paths exist in the chart's values.yaml. It does
/// not evaluate templates; `helm lint` / `helm template` in a real CI go further (docs/kubernetes.md).
/// </summary>
public static partial class HelmTemplateLinter
{
    private static readonly string[] s_blockOpeners = ["if", "range", "with", "define", "block"];

    /// <summary>Splits a template into actions, reporting an action that is never closed.</summary>
    public static IReadOnlyList<TemplateAction> Actions(string text, string file, List<Finding> findings)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(findings);
        var actions = new List<TemplateAction>();
        var position = 0;
        while ((position = text.IndexOf("{{", position, StringComparison.Ordinal)) >= 0)
        {
            var line = LineAt(text, position);
            var inner = position + 2;
            if (inner < text.Length && text[inner] == '-' && inner + 1 < text.Length && char.IsWhiteSpace(text[inner + 1]))
            {
                inner++;
            }

            var body = text.AsSpan(inner).TrimStart();
            int close;
            if (body.StartsWith("/*"))
            {
                // A comment may contain anything up to */, which must be followed by the closing delimiter.
                var commentEnd = text.IndexOf("*/", inner, StringComparison.Ordinal);
                close = commentEnd < 0 ? -1 : text.IndexOf("}}", commentEnd, StringComparison.Ordinal);
                if (close >= 0 && text[(commentEnd + 2)..close].Trim().TrimEnd('-').Trim().Length != 0)
                {
                    findings.Add(Error(file, line, "a template comment must end with */}} (or */ -}})"));
                }
            }
            else
            {
                close = text.IndexOf("}}", inner, StringComparison.Ordinal);
                var nextOpen = text.IndexOf("{{", inner, StringComparison.Ordinal);
                if (nextOpen >= 0 && nextOpen < close)
                {
                    findings.Add(Error(file, line, "'{{' opens an action that is not closed before the next '{{'"));
                }
            }

            if (close < 0)
            {
                findings.Add(Error(file, line, "'{{' is never closed with '}}'"));
                break;
            }

            var content = text[inner..close].Trim();
            if (content.EndsWith(" -", StringComparison.Ordinal) || content == "-")
            {
                content = content[..^1].TrimEnd();
            }

            actions.Add(new TemplateAction(file, line, content));
            position = close + 2;
        }

        return actions;
    }

    /// <summary>if/range/with/define/block must each be closed by one end; else only inside if/with/range.</summary>
    public static IReadOnlyList<Finding> BlockFindings(IReadOnlyList<TemplateAction> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        var findings = new List<Finding>();
        var open = new Stack<TemplateAction>();
        foreach (var action in actions.Where(a => !a.IsComment))
        {
            switch (action.Keyword)
            {
                case var keyword when s_blockOpeners.Contains(keyword):
                    open.Push(action);
                    break;
                case "else":
                    if (open.Count == 0 || open.Peek().Keyword is not ("if" or "with" or "range"))
                    {
                        findings.Add(Error(action.File, action.Line, "'else' outside an if, with or range block"));
                    }

                    break;
                case "end":
                    if (open.Count == 0)
                    {
                        findings.Add(Error(action.File, action.Line, "'end' without an open if/range/with/define/block"));
                    }
                    else
                    {
                        open.Pop();
                    }

                    break;
            }
        }

        foreach (var unclosed in open)
        {
            findings.Add(Error(unclosed.File, unclosed.Line, $"'{unclosed.Keyword}' block is never closed with 'end'"));
        }

        return findings;
    }

    /// <summary>Names given to define.</summary>
    public static IEnumerable<string> Defines(IEnumerable<TemplateAction> actions) =>
        actions.Where(a => a.Keyword == "define").Select(a => NamePattern().Match(a.Text)).Where(m => m.Success).Select(m => m.Groups["name"].Value);

    /// <summary>Names used by include or template.</summary>
    public static IEnumerable<(TemplateAction Action, string Name)> Includes(IEnumerable<TemplateAction> actions) =>
        actions.Where(a => !a.IsComment)
            .SelectMany(a => IncludePattern().Matches(a.Text).Select(m => (a, m.Groups["name"].Value)));

    /// <summary>
    /// Every <c>.Values.a.b</c> path (also <c>$.Values</c>) and every <c>$v.a.b</c> where <c>$v</c> is bound by
    /// <c>range $k, $v := .Values.map</c> must exist in <paramref name="values"/>; for a range variable the path
    /// must exist in every entry of the map. A reference in an action that guards it (<c>| default</c>,
    /// <c>default</c>, <c>hasKey</c>) may be missing.
    /// </summary>
    public static IReadOnlyList<Finding> ValuesPathFindings(IReadOnlyList<TemplateAction> actions, JObject values)
    {
        ArgumentNullException.ThrowIfNull(actions);
        ArgumentNullException.ThrowIfNull(values);
        var findings = new List<Finding>();
        var rangeBindings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var action in actions.Where(a => !a.IsComment))
        {
            if (RangeBindingPattern().Match(action.Text) is { Success: true } binding)
            {
                rangeBindings[binding.Groups["var"].Value] = binding.Groups["path"].Value;
            }

            var guarded = action.Text.Contains("default", StringComparison.Ordinal) || action.Text.Contains("hasKey", StringComparison.Ordinal);
            foreach (Match reference in ValuesPattern().Matches(action.Text))
            {
                var path = reference.Groups["path"].Value;
                if (!guarded && !PathExists(values, path.Split('.')))
                {
                    findings.Add(Error(action.File, action.Line, $".Values.{path} is not in values.yaml (add it there or guard it with default)"));
                }
            }

            foreach (Match reference in VariablePattern().Matches(action.Text))
            {
                if (!rangeBindings.TryGetValue(reference.Groups["var"].Value, out var mapPath) || guarded)
                {
                    continue;
                }

                var path = reference.Groups["path"].Value.Split('.');
                var entries = SelectPath(values, mapPath.Split('.')) as JObject ?? [];
                foreach (var entry in entries.Properties().Where(e => !PathExists(e.Value, path)))
                {
                    findings.Add(Error(action.File, action.Line,
                        $"${reference.Groups["var"].Value}.{reference.Groups["path"].Value} is missing in .Values.{mapPath}.{entry.Name}"));
                }
            }
        }

        return findings;
    }

    private static JToken? SelectPath(JToken start, IEnumerable<string> path)
    {
        var current = start;
        foreach (var segment in path)
        {
            current = (current as JObject)?[segment];
            if (current is null)
            {
                return null;
            }
        }

        return current;
    }

    private static bool PathExists(JToken start, IEnumerable<string> path) => SelectPath(start, path) is not null;

    private static int LineAt(string text, int position) => text.AsSpan(0, position).Count('\n') + 1;

    private static Finding Error(string file, int line, string message) =>
        new(FindingSeverity.Error, FindingCodes.HelmTemplate, file, 0, line, "", message);

    [GeneratedRegex("\"(?<name>[^\"]+)\"")]
    private static partial Regex NamePattern();

    [GeneratedRegex("\\b(?:include|template)\\s+\"(?<name>[^\"]+)\"")]
    private static partial Regex IncludePattern();

    [GeneratedRegex(@"range\s+\$\w+\s*,\s*\$(?<var>\w+)\s*:=\s*\$?\.Values\.(?<path>[A-Za-z_][\w.]*)")]
    private static partial Regex RangeBindingPattern();

    [GeneratedRegex(@"(?<![\w$])(?:\$root|\$)?\.Values\.(?<path>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)")]
    private static partial Regex ValuesPattern();

    [GeneratedRegex(@"\$(?<var>\w+)\.(?<path>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)")]
    private static partial Regex VariablePattern();
}
