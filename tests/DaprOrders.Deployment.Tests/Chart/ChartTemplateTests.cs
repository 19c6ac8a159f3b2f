using DaprOrders.Deployment.Validation;
using Xunit.Abstractions;

namespace DaprOrders.Deployment.Tests.Chart;

/// <summary>Static checks of templates/** (no helm here): syntax, value paths, and what every workload must carry.</summary>
public sealed class ChartTemplateTests(ITestOutputHelper output)
{
    public static TheoryData<string> TemplateFiles() => [.. DaprOrdersChart.TemplateFiles];

    private static IReadOnlyList<TemplateAction> ActionsOf(string file)
    {
        var findings = new List<Finding>();
        var actions = HelmTemplateLinter.Actions(DaprOrdersChart.Text(file), file, findings);
        Assert.Empty(findings);
        return actions;
    }

    private void AssertNone(IReadOnlyList<Finding> findings)
    {
        foreach (var finding in findings)
        {
            output.WriteLine(finding.ToString());
        }

        Assert.Empty(findings);
    }

    [Theory]
    [MemberData(nameof(TemplateFiles))]
    public void Template_actions_are_closed_and_blocks_are_paired(string file)
    {
        var findings = new List<Finding>();
        var actions = HelmTemplateLinter.Actions(DaprOrdersChart.Text(file), file, findings);
        findings.AddRange(HelmTemplateLinter.BlockFindings(actions));

        AssertNone(findings);
        Assert.NotEmpty(actions);
    }

    [Theory]
    [MemberData(nameof(TemplateFiles))]
    public void Template_reads_only_values_that_exist(string file)
    {
        AssertNone(HelmTemplateLinter.ValuesPathFindings(ActionsOf(file), DaprOrdersChart.Values));
    }

    [Theory]
    [MemberData(nameof(TemplateFiles))]
    public void No_template_grants_kubernetes_api_rights(string file)
    {
        // The Dapr operator resolves the components' secrets (ChartDaprResourceTests): no pod of the chart needs a
        // Role, and a Role on Secrets would only widen what a compromised pod can read.
        Assert.DoesNotMatch(@"(?m)^kind:\s*(Cluster)?Role(Binding)?\s*$", DaprOrdersChart.Text(file));
    }

    [Fact]
    public void Every_included_template_is_defined()
    {
        var actions = DaprOrdersChart.TemplateFiles.SelectMany(ActionsOf).ToList();
        var defined = HelmTemplateLinter.Defines(actions).ToHashSet();

        Assert.All(HelmTemplateLinter.Includes(actions), include => Assert.True(defined.Contains(include.Name),
            $"{include.Action.File}:{include.Action.Line} includes \"{include.Name}\", which no template defines"));
        Assert.Contains("dapr-orders.podSecurityContext", defined);
    }

    [Fact]
    public void Linter_reports_unclosed_actions_unpaired_blocks_and_unknown_values()
    {
        var findings = new List<Finding>();
        var actions = HelmTemplateLinter.Actions(
            "{{- if .Values.ingress.enabled }}\n{{ .Values.ingress.hots }}\n{{ else }}{{ range $n, $s := .Values.services }}{{ $s.prot }}{{ end }}\n{{ .Values.x | default 1 }}\n{{ end }}{{ end }}\n{{ oops",
            "broken.yaml", findings);
        findings.AddRange(HelmTemplateLinter.BlockFindings(actions));
        findings.AddRange(HelmTemplateLinter.ValuesPathFindings(actions, DaprOrdersChart.Values));

        var messages = findings.Select(f => $"{f.Line}: {f.Message}").ToList();
        foreach (var message in messages)
        {
            output.WriteLine(message);
        }

        Assert.Contains("6: '{{' is never closed with '}}'", messages);
        Assert.Contains("5: 'end' without an open if/range/with/define/block", messages);
        Assert.Contains("2: .Values.ingress.hots is not in values.yaml (add it there or guard it with default)", messages);
        Assert.Contains(messages, m => m.StartsWith("3: $s.prot is missing in .Values.services.", StringComparison.Ordinal));
        Assert.DoesNotContain(messages, m => m.Contains(".Values.x", StringComparison.Ordinal));
    }

    [Fact]
    public void Workload_pods_are_hardened_and_get_a_writable_tmp()
    {
        var helpers = DaprOrdersChart.Text("templates/_helpers.tpl");
        foreach (var expected in new[]
                 {
                     "runAsNonRoot: true", "type: RuntimeDefault", "allowPrivilegeEscalation: false",
                     "readOnlyRootFilesystem: {{ .Values.podSecurity.readOnlyRootFilesystem }}", "- ALL",
                 })
        {
            Assert.Contains(expected, helpers, StringComparison.Ordinal);
        }

        foreach (var file in new[] { "templates/deployments.yaml", "templates/tests/order-flow.yaml" })
        {
            var text = DaprOrdersChart.Text(file);
            Assert.Contains("include \"dapr-orders.podSecurityContext\"", text, StringComparison.Ordinal);
            Assert.Contains("include \"dapr-orders.containerSecurityContext\"", text, StringComparison.Ordinal);
            Assert.Contains("mountPath: /tmp", text, StringComparison.Ordinal);
            Assert.Contains("emptyDir:", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Deployments_loop_over_the_services_and_carry_every_dapr_annotation()
    {
        var text = DaprOrdersChart.Text("templates/deployments.yaml");

        Assert.Contains("range $name, $svc := .Values.services", text, StringComparison.Ordinal);
        foreach (var annotation in new[]
                 {
                     "dapr.io/enabled", "dapr.io/app-id", "dapr.io/app-port", "dapr.io/config", "dapr.io/enable-metrics",
                     "dapr.io/metrics-port", "dapr.io/log-as-json", "dapr.io/api-token-secret", "dapr.io/app-token-secret",
                     "dapr.io/sidecar-cpu-request", "dapr.io/sidecar-memory-request", "dapr.io/sidecar-memory-limit",
                     "dapr.io/enable-app-health-check",
                 })
        {
            Assert.Contains(annotation + ":", text, StringComparison.Ordinal);
        }

        // The app gets the tokens through secretKeyRef (envFrom would name the variable "token"; https://docs.dapr.io/reference/environment/).
        Assert.Contains("name: DAPR_API_TOKEN", text, StringComparison.Ordinal);
        Assert.Contains("name: APP_API_TOKEN", text, StringComparison.Ordinal);
        Assert.DoesNotContain("envFrom", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_per_service_template_loops_over_the_one_services_list()
    {
        foreach (var file in new[] { "templates/deployments.yaml", "templates/services.yaml", "templates/autoscaling.yaml", "templates/networkpolicies.yaml" })
        {
            Assert.Contains("range $name, $svc := .Values.services", DaprOrdersChart.Text(file), StringComparison.Ordinal);
        }

        // No template names a service by hand except the helm test, which drives ordering and inventory.
        foreach (var file in DaprOrdersChart.TemplateFiles.Where(f => f != "templates/tests/order-flow.yaml" && f != "templates/NOTES.txt"))
        {
            Assert.DoesNotMatch(@"\b(ordering|inventory|payment|notification|audit)\b", DaprOrdersChart.Text(file));
        }
    }

    [Fact]
    public void Network_policy_allows_only_the_documented_traffic()
    {
        var text = DaprOrdersChart.Text("templates/networkpolicies.yaml");

        foreach (var port in new[] { "port: 3500", "port: 50001", "port: 50002", "port: 53", "port: 4317", "port: 4318" })
        {
            Assert.Contains(port, text, StringComparison.Ordinal);
        }

        Assert.Contains("- Ingress", text, StringComparison.Ordinal);
        Assert.Contains("- Egress", text, StringComparison.Ordinal);
        Assert.Contains("{{- if $svc.public }}", text, StringComparison.Ordinal);
        Assert.Contains("include \"dapr-orders.infrastructurePort\" $.Values.pubsub.type", text, StringComparison.Ordinal);
        Assert.Contains("include \"dapr-orders.infrastructurePort\" $.Values.state.type", text, StringComparison.Ordinal);
        // Every pub/sub and state type the schema allows has a port in the helper.
        var helpers = DaprOrdersChart.Text("templates/_helpers.tpl");
        foreach (var type in DaprOrdersChart.EnumOf("properties.pubsub.properties.type").Concat(DaprOrdersChart.EnumOf("properties.state.properties.type")))
        {
            Assert.Matches($"\"{type}\" \\d+", helpers);
        }
    }

    [Fact]
    public void Helm_test_submits_a_structured_cloudevent_and_waits_for_completed()
    {
        var text = DaprOrdersChart.Text("templates/tests/order-flow.yaml");

        Assert.Contains("helm.sh/hook: test", text, StringComparison.Ordinal);
        Assert.Contains("kind: Pod", text, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/cloudevents+json", text, StringComparison.Ordinal);
        Assert.Contains("\"type\":\"daprorders.order.submitted.v1\"", text, StringComparison.Ordinal);
        Assert.Contains("-X PUT", text, StringComparison.Ordinal);
        Assert.Contains("$INVENTORY_URL/stock/$SKU", text, StringComparison.Ordinal);
        Assert.Contains("$ORDERING_URL/orders/$order_id", text, StringComparison.Ordinal);
        Assert.Contains("Completed) exit 0", text, StringComparison.Ordinal);
        Assert.Contains("runAsUser: 100", text, StringComparison.Ordinal);
        Assert.Equal("sku-1", (string?)DaprOrdersChart.Values.SelectToken("helmTest.sku"));
        Assert.Matches(@"^curlimages/curl:\d+\.\d+\.\d+$", (string?)DaprOrdersChart.Values.SelectToken("helmTest.image"));
    }

    [Fact]
    public void Notes_exist_for_the_install_output()
    {
        Assert.Contains("helm test {{ .Release.Name }}", DaprOrdersChart.Text("templates/NOTES.txt"), StringComparison.Ordinal);
    }
}
