using System.Text;
using System.Text.RegularExpressions;
using DaprOrders.Chaos.Harness;
using YamlDotNet.RepresentationModel;

namespace DaprOrders.Chaos.Tests.Security;

/// <summary>
/// The chart's NetworkPolicy (charts/dapr-orders/templates/networkpolicies.yaml) for the default values, per service:
/// default-deny both ways, and ingress only from the peers a Dapr pod of this system needs — the Dapr control plane
/// (sidecar API and internal gRPC ports), other Dapr pods of the release (internal gRPC 50002 only: service
/// invocation and actors), Prometheus (daprd's metrics port only), and, for public services only, the ingress
/// controller and the release's helm test pod on the app port. The app port is never open to anything else: the
/// sidecar reaches the app over localhost inside the pod.
/// The template is rendered here for one service at a time by a minimal evaluator of exactly the constructs it uses
/// (if/range/end, includes as placeholders, scalar values), then read as YAML.
/// </summary>
public sealed partial class NetworkPolicyTests
{
    private static readonly string ChartPath = Path.Combine(RepositoryRoot.Path, "charts", "dapr-orders");

    public static TheoryData<string> Services() => [.. ServiceValues().Keys];

    [Theory]
    [MemberData(nameof(Services))]
    public void Ingress_allows_only_the_sidecar_control_plane_metrics_and_for_public_services_the_ingress(string service)
    {
        var (port, isPublic) = ServiceValues()[service];
        var policy = Render(service);

        Assert.Equal("NetworkPolicy", Scalar(policy, "kind"));
        Assert.Equal(["Ingress", "Egress"], Sequence(policy, "spec", "policyTypes").Select(n => ((YamlScalarNode)n).Value));

        var rules = Sequence(policy, "spec", "ingress").Cast<YamlMappingNode>().ToList();
        var allowed = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            // A rule without "from" (or with an empty one) would admit every source in and outside the cluster.
            Assert.True(rule.Children.ContainsKey("from"), $"{service}: ingress rule without 'from' admits everyone");
            var peers = ((YamlSequenceNode)rule["from"]).Children.Cast<YamlMappingNode>().ToList();
            Assert.NotEmpty(peers);
            Assert.DoesNotContain(peers, p => p.Children.ContainsKey("ipBlock"));
            var ports = ((YamlSequenceNode)rule["ports"]).Children.Cast<YamlMappingNode>().Select(p => ((YamlScalarNode)p["port"]).Value!).Order(StringComparer.Ordinal).ToArray();
            foreach (var peer in peers)
            {
                allowed[Describe(peer)] = ports;
            }
        }

        var expected = new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            ["namespace=dapr-system"] = ["3500", "50001", "50002"],
            ["pods=include:dapr-orders.daprPodSelector"] = ["50002"],
            ["namespace=release-namespace+pods=app.kubernetes.io/name:prometheus"] = ["9090"],
        };
        if (isPublic)
        {
            expected["namespace=ingress-nginx"] = [port];
            expected["pods=app.kubernetes.io/component:helm-test,app.kubernetes.io/instance:release"] = [port];
        }

        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key} -> {string.Join(",", e.Value)}"),
            allowed.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key} -> {string.Join(",", e.Value)}"));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void Egress_is_limited_to_dns_dapr_the_infrastructure_ports_and_tracing_never_the_kubernetes_api(string service)
    {
        var rules = Sequence(Render(service), "spec", "egress").Cast<YamlMappingNode>().ToList();
        foreach (var rule in rules)
        {
            var to = rule.Children.TryGetValue("to", out var peers) ? ((YamlSequenceNode)peers).Children.Cast<YamlMappingNode>().ToList() : [];
            var ports = rule.Children.TryGetValue("ports", out var list) ? ((YamlSequenceNode)list).Children.Cast<YamlMappingNode>().Select(p => ((YamlScalarNode)p["port"]).Value!).ToList() : [];

            // Unrestricted in both peer and port would be allow-all; only the Dapr control plane namespace gets every port.
            Assert.True(ports.Count > 0 || (to.Count == 1 && Describe(to[0]) == "namespace=dapr-system"), $"{service}: egress rule open on every port: {Describe(to)}");
            // The Dapr operator resolves the components' secrets, so no pod needs the API server: no address block
            // at all (an open 0.0.0.0/0 on 443/6443 let every pod reach anything on those ports) and neither API port.
            Assert.DoesNotContain(to, p => p.Children.ContainsKey("ipBlock"));
            Assert.DoesNotContain("443", ports);
            Assert.DoesNotContain("6443", ports);
        }
    }

    private static string Describe(IEnumerable<YamlMappingNode> peers) => string.Join(" | ", peers.Select(Describe));

    private static string Describe(YamlMappingNode peer)
    {
        var parts = new List<string>();
        if (peer.Children.TryGetValue("namespaceSelector", out var ns))
        {
            parts.Add("namespace=" + Labels(ns).Single().Split(':')[1]);
        }

        if (peer.Children.TryGetValue("podSelector", out var pods))
        {
            parts.Add("pods=" + string.Join(",", Labels(pods).Order(StringComparer.Ordinal)));
        }

        if (peer.Children.TryGetValue("ipBlock", out var block))
        {
            parts.Add("ip=" + ((YamlScalarNode)((YamlMappingNode)block)["cidr"]).Value);
        }

        return string.Join("+", parts);
    }

    private static IEnumerable<string> Labels(YamlNode selector) =>
        ((YamlMappingNode)((YamlMappingNode)selector)["matchLabels"]).Children
            .Select(l => $"{((YamlScalarNode)l.Key).Value}:{((YamlScalarNode)l.Value).Value}".TrimEnd(':'))
            .Select(l => l.Replace("kubernetes.io/metadata.name:", "ns:", StringComparison.Ordinal));

    private static string? Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value;

    private static IReadOnlyList<YamlNode> Sequence(YamlMappingNode node, params string[] path)
    {
        YamlNode current = node;
        foreach (var key in path)
        {
            current = ((YamlMappingNode)current)[key];
        }

        return [.. ((YamlSequenceNode)current).Children];
    }

    /// <summary>The default values' services: app port and whether the Ingress exposes it.</summary>
    private static Dictionary<string, (string Port, bool Public)> ServiceValues()
    {
        var values = LoadYaml(Path.Combine(ChartPath, "values.yaml"));
        return ((YamlMappingNode)values["services"]).Children.ToDictionary(
            s => ((YamlScalarNode)s.Key).Value!,
            s => (((YamlScalarNode)((YamlMappingNode)s.Value)["port"]).Value!, ((YamlScalarNode)((YamlMappingNode)s.Value)["public"]).Value == "true"),
            StringComparer.Ordinal);
    }

    private static YamlMappingNode Render(string service)
    {
        var values = LoadYaml(Path.Combine(ChartPath, "values.yaml"));
        Assert.Equal("true", ((YamlScalarNode)((YamlMappingNode)values["networkPolicy"])["enabled"]).Value);
        var dapr = (YamlMappingNode)values["dapr"];
        var (port, isPublic) = ServiceValues()[service];
        var conditions = new Dictionary<string, bool>(StringComparer.Ordinal)
        {
            [".Values.networkPolicy.enabled"] = true,
            ["$svc.public"] = isPublic,
            ["$.Values.dapr.enableMetrics"] = ((YamlScalarNode)dapr["enableMetrics"]).Value == "true",
        };
        var scalars = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["$svc.port"] = port,
            ["$.Values.dapr.metricsPort"] = ((YamlScalarNode)dapr["metricsPort"]).Value!,
            ["$daprSystem"] = ((YamlScalarNode)dapr["controlPlaneNamespace"]).Value!,
            // prometheusNamespace is empty by default: the release namespace.
            ["$prometheusNamespace"] = "release-namespace",
            ["$.Values.networkPolicy.ingressControllerNamespace"] = ((YamlScalarNode)((YamlMappingNode)values["networkPolicy"])["ingressControllerNamespace"]).Value!,
            ["$.Release.Name"] = "release",
            ["$.Release.Namespace"] = "release-namespace",
        };

        var output = new StringBuilder();
        var active = new Stack<bool>();
        var inComment = false;
        foreach (var line in File.ReadAllLines(Path.Combine(ChartPath, "templates", "networkpolicies.yaml")))
        {
            var trimmed = line.Trim();
            if (inComment || trimmed.StartsWith("{{- /*", StringComparison.Ordinal))
            {
                inComment = !trimmed.EndsWith("*/ -}}", StringComparison.Ordinal);
                continue;
            }

            if (IfAction().Match(trimmed) is { Success: true } condition)
            {
                var expr = condition.Groups["expr"].Value;
                active.Push(conditions.TryGetValue(expr, out var known) ? known : Truthy(Evaluate(expr, service, isPublic, values)));
                continue;
            }

            if (trimmed.StartsWith("{{- range ", StringComparison.Ordinal))
            {
                active.Push(true);
                continue;
            }

            if (trimmed == "{{- end }}")
            {
                active.Pop();
                continue;
            }

            if (AssignmentAction().IsMatch(trimmed) || trimmed == "---" || active.Any(a => !a))
            {
                continue;
            }

            if (NindentInclude().Match(trimmed) is { Success: true } include)
            {
                var indent = new string(' ', int.Parse(include.Groups["indent"].Value, System.Globalization.CultureInfo.InvariantCulture));
                output.AppendLine($"{indent}include:{include.Groups["name"].Value}: \"\"");
                continue;
            }

            output.AppendLine(Action().Replace(line, m => scalars.TryGetValue(m.Groups["expr"].Value, out var value) ? value : $"'<{m.Groups["expr"].Value.Replace("\"", string.Empty, StringComparison.Ordinal)}>'"));
        }

        Assert.Empty(active);
        var document = new YamlStream();
        document.Load(new StringReader(output.ToString()));
        return (YamlMappingNode)document.Documents.Single().RootNode;
    }

    /// <summary>
    /// Evaluates the pipeline subset the template's conditions use: <c>and</c>, <c>or</c>, <c>not</c>, <c>eq</c>,
    /// parentheses, <c>$name</c>, <c>$svc.public</c> and values paths.
    /// </summary>
    private static object? Evaluate(string expression, string service, bool isPublic, YamlMappingNode values)
    {
        var tokens = Regex.Matches(expression, @"\(|\)|[^\s()]+").Select(m => m.Value).ToList();
        var position = 0;
        object? Term()
        {
            var token = tokens[position++];
            if (token == "(")
            {
                var inner = Call();
                position++; // ")"
                return inner;
            }

            return token switch
            {
                "$name" => service,
                "$svc.public" => isPublic,
                _ when token.Contains(".Values.", StringComparison.Ordinal) => Lookup(values, token),
                _ => token.Trim('"'),
            };
        }

        object? Call()
        {
            var head = tokens[position];
            if (head is not ("and" or "or" or "not" or "eq"))
            {
                return Term();
            }

            position++;
            var args = new List<object?>();
            while (position < tokens.Count && tokens[position] != ")")
            {
                args.Add(Term());
            }

            return head switch
            {
                "and" => args.All(Truthy),
                "or" => args.Any(Truthy),
                "not" => !Truthy(args[0]),
                _ => Equals(args[0]?.ToString(), args[1]?.ToString()),
            };
        }

        return Call();
    }

    private static bool Truthy(object? value) => value switch
    {
        bool b => b,
        string text => !string.IsNullOrEmpty(text) && text is not ("false" or "0" or "null" or "~"),
        _ => false,
    };

    private static string? Lookup(YamlMappingNode values, string expression)
    {
        YamlNode? node = values;
        foreach (var key in expression[(expression.IndexOf(".Values.", StringComparison.Ordinal) + ".Values.".Length)..].Split('.'))
        {
            node = node is YamlMappingNode mapping && mapping.Children.TryGetValue(key, out var child) ? child : null;
        }

        return node is YamlScalarNode scalar ? scalar.Value : node is null ? null : "set";
    }

    private static YamlMappingNode LoadYaml(string path)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(path)));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    [GeneratedRegex(@"^\{\{- if (?<expr>.+) \}\}$")]
    private static partial Regex IfAction();

    [GeneratedRegex(@"^\{\{- \$\w+ := .*\}\}$")]
    private static partial Regex AssignmentAction();

    [GeneratedRegex(@"^\{\{- include ""(?<name>[^""]+)"" .*\| nindent (?<indent>\d+) \}\}$")]
    private static partial Regex NindentInclude();

    [GeneratedRegex(@"\{\{-? (?<expr>[^{}]+?) -?\}\}")]
    private static partial Regex Action();
}
