using DaprOrders.Deployment.Validation;
using Newtonsoft.Json.Linq;
using Xunit.Abstractions;

namespace DaprOrders.Deployment.Tests.Chart;

/// <summary>k8s/ (kind, Dapr control plane values, Jaeger) and tilt/ctlptl.yaml agree with each other and with the chart.</summary>
public sealed class KubernetesAssetsTests(ITestOutputHelper output)
{
    private const string DaprVersion = "1.18.3";

    private static List<YamlResource> Documents(string relative)
    {
        var findings = new List<Finding>();
        var documents = YamlResourceReader.ReadFile(DaprOrdersChart.RepositoryPath(relative), relative, findings).ToList();
        Assert.Empty(findings);
        return documents;
    }

    private static JObject KindCluster => (JObject)Documents("k8s/kind-cluster.yaml").Single().Json;

    [Fact]
    public void Ctlptl_embeds_exactly_the_kind_cluster_config_and_a_registry()
    {
        var documents = Documents("tilt/ctlptl.yaml");
        var registry = documents.Single(d => d.Kind == "Registry").Json;
        var cluster = documents.Single(d => d.Kind == "Cluster").Json;

        var kind = (JObject)KindCluster.DeepClone();
        kind.Remove("apiVersion");
        kind.Remove("kind");
        Assert.True(JToken.DeepEquals(kind, cluster["kindV1Alpha4Cluster"]), "tilt/ctlptl.yaml kindV1Alpha4Cluster must equal k8s/kind-cluster.yaml without apiVersion/kind");
        Assert.Equal("kind", (string?)cluster["product"]);
        Assert.Equal((string?)registry["name"], (string?)cluster["registry"]);
        Assert.Equal("kind-" + (string?)KindCluster["name"], (string?)cluster["name"]);
    }

    [Fact]
    public void Kind_maps_the_order_api_jaeger_prometheus_and_rabbitmq_ui_to_their_node_ports()
    {
        var mappings = KindCluster.SelectTokens("nodes[*].extraPortMappings[*]")
            .ToDictionary(m => (int)m["hostPort"]!, m => (int)m["containerPort"]!);
        var dev = DaprOrdersChart.ValuesWith("values-dev.yaml");
        var nodePorts = ((JArray)dev["nodePorts"]!).ToDictionary(n => (string)n["name"]!, n => n);
        var jaegerNodePort = Documents("k8s/jaeger.yaml").Single(d => d.Kind == "Service" && (string?)d.Json.SelectToken("spec.type") == "NodePort");

        Assert.Equal([5100, 9090, 15672, 16686], mappings.Keys.Order());
        Assert.Equal((int)dev.SelectToken("services.ordering.port")!, (int)nodePorts["orders-api"]["port"]!);
        Assert.Equal(mappings[5100], (int)nodePorts["orders-api"]["nodePort"]!);
        Assert.Equal(mappings[9090], (int)nodePorts["prometheus"]["nodePort"]!);
        Assert.Equal(mappings[15672], (int)nodePorts["rabbitmq-management"]["nodePort"]!);
        Assert.Equal(mappings[16686], (int)jaegerNodePort.Json.SelectToken("spec.ports[0].nodePort")!);
        Assert.Equal(16686, (int)jaegerNodePort.Json.SelectToken("spec.ports[0].port")!);
    }

    [Fact]
    public void Jaeger_is_v2_with_otlp_and_the_ui_non_root_and_is_where_daprd_sends_traces()
    {
        var documents = Documents("k8s/jaeger.yaml");
        var deployment = documents.Single(d => d.Kind == "Deployment").Json;
        var service = documents.Single(d => d.Kind == "Service" && d.Name == "jaeger").Json;
        var container = deployment.SelectToken("spec.template.spec.containers[0]")!;

        Assert.Matches(@"^jaegertracing/jaeger:2\.\d+\.\d+$", (string?)container["image"]);
        Assert.Equal([4317, 4318, 16686], container["ports"]!.Select(p => (int)p["containerPort"]!).Order());
        Assert.Equal([4317, 4318, 16686], service.SelectToken("spec.ports")!.Select(p => (int)p["port"]!).Order());
        Assert.True((bool)deployment.SelectToken("spec.template.spec.securityContext.runAsNonRoot")!);
        Assert.False((bool)container.SelectToken("securityContext.allowPrivilegeEscalation")!);

        // tracing.otlpEndpoint = <service>.<namespace>.svc.cluster.local:4317, and the NetworkPolicy egress names that namespace.
        var values = DaprOrdersChart.Values;
        var endpoint = (string)values.SelectToken("tracing.otlpEndpoint")!;
        var ns = (string?)service.SelectToken("metadata.namespace");
        Assert.Equal($"{(string?)service.SelectToken("metadata.name")}.{ns}.svc.cluster.local:4317", endpoint);
        Assert.Equal(ns, (string?)values.SelectToken("tracing.collectorNamespace"));
    }

    [Fact]
    public void Control_plane_values_exist_in_the_dapr_chart()
    {
        var schemaDirectory = SchemaDirectory.Require();
        var validator = new HelmValuesValidator(new ResourceSchemaCatalog(schemaDirectory), schemaDirectory);
        var files = DaprOrdersChart.Repository.UpstreamChartValuesFiles().ToList();
        var findings = files
            .SelectMany(f => validator.ValidateForUpstreamChart(f, DaprOrdersChart.Repository.Relative(f), RepositoryLayout.UpstreamChartOf(f)))
            .ToList();
        foreach (var finding in findings)
        {
            output.WriteLine(finding.ToString());
        }

        Assert.Equal(["k8s/dapr-values.yaml"], files.Select(DaprOrdersChart.Repository.Relative));
        Assert.Empty(findings);
        Assert.DoesNotContain(DaprOrdersChart.Repository.ResourceFiles(), f => f.EndsWith("dapr-values.yaml", StringComparison.Ordinal));
    }

    [Fact]
    public void Control_plane_values_check_reports_unknown_keys_as_errors()
    {
        var schemaDirectory = SchemaDirectory.Require();
        var validator = new HelmValuesValidator(new ResourceSchemaCatalog(schemaDirectory), schemaDirectory);
        var file = Path.Combine(Path.GetTempPath(), $"dapr-values-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, "global:\n  logAsJsn: true\ndapr_sidecar_injector:\n  sidecarDropAllCapabilities: true\n");
        try
        {
            var findings = validator.ValidateForUpstreamChart(file, "dapr-values.yaml", "dapr");

            Assert.Equal(
                [
                    "dapr.global.logAsJsn does not exist in dapr-1.18.3's values.yaml; the chart probably ignores it",
                    "dapr_sidecar_injector.sidecarDropAllCapabilities does not exist in dapr-1.18.3/dapr_sidecar_injector's values.yaml; the chart probably ignores it",
                ],
                findings.Select(f => f.Message).Order(StringComparer.Ordinal));
            Assert.All(findings, f => Assert.Equal(FindingSeverity.Error, f.Severity));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void One_dapr_version_everywhere()
    {
        var daprValues = (JObject)Documents("k8s/dapr-values.yaml").Single().Json;

        Assert.Equal(DaprVersion, (string?)daprValues.SelectToken("global.tag"));
        Assert.Contains($"DAPR_VERSION = '{DaprVersion}'", File.ReadAllText(DaprOrdersChart.RepositoryPath("Tiltfile")), StringComparison.Ordinal);
        Assert.Contains($"DAPR_VERSION: \"{DaprVersion}\"", File.ReadAllText(DaprOrdersChart.RepositoryPath(".github/workflows/kubernetes.yml")), StringComparison.Ordinal);
        Assert.Equal("dapr-system", (string?)DaprOrdersChart.Values.SelectToken("dapr.controlPlaneNamespace"));
        Assert.True((bool)daprValues.SelectToken("global.mtls.enabled")!);
        Assert.True((bool)daprValues.SelectToken("dapr_sidecar_injector.sidecarDropALLCapabilities")!);
    }

    [Fact]
    public void The_dapr_version_has_upstream_chart_values_in_the_schema_set()
    {
        Assert.True(Directory.Exists(Path.Combine(SchemaDirectory.Require(), "helm-values", "dapr-" + DaprVersion)));
    }

    [Fact]
    public void Workflow_pins_every_action_and_runs_helm_test_and_tilt_ci()
    {
        var path = DaprOrdersChart.RepositoryPath(".github/workflows/kubernetes.yml");
        var findings = new List<Finding>();
        var workflow = YamlResourceReader.ReadFile(path, "kubernetes.yml", findings).Single().Json;
        // GitHub's parser reads the `on:` key as the string "on"; the YAML 1.1 boolean rule is for Kubernetes and daprd.
        Assert.DoesNotContain(findings, f => f.Code != FindingCodes.Yaml11Boolean || f.Line != 7);

        var uses = workflow.SelectTokens("jobs.*.steps[*].uses").Select(u => (string)u!).ToList();
        Assert.NotEmpty(uses);
        Assert.All(uses, u => Assert.Matches(@"^[\w.-]+/[\w.-]+@v\d+\.\d+\.\d+$", u));
        var runs = string.Join("\n", workflow.SelectTokens("jobs.*.steps[*].run").Select(r => (string)r!));
        foreach (var command in new[] { "helm dependency build charts/dapr-orders", "helm upgrade --install", "helm test", "tilt ci", "ctlptl apply -f tilt/ctlptl.yaml", "k8s/dapr-values.yaml", "k8s/jaeger.yaml" })
        {
            Assert.Contains(command, runs, StringComparison.Ordinal);
        }
    }
}
