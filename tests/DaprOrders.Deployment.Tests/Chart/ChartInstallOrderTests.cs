using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;

namespace DaprOrders.Deployment.Tests.Chart;

/// <summary>
/// What a first `tilt up` and a fresh `helm install` meet in order: the namespace before what lives in it, a Helm that
/// accepts Chart.yaml's kubeVersion, Secrets that stay the same between renders, and mounts that always exist.
/// </summary>
public sealed partial class ChartInstallOrderTests
{
    [Fact]
    public void Every_tilt_resource_in_the_release_namespace_waits_for_the_namespace()
    {
        var resources = TiltfilePlan.Resources;
        var holder = Assert.Single(resources, r => r.Objects.Contains("daprorders:namespace"));
        Assert.Empty(holder.ResourceDeps);

        // Outside the release namespace: the Dapr chart (dapr-system) and Jaeger (observability).
        var namespaced = resources.Where(r => r != holder && r.Name is not ("dapr" or "dapr-charts" or "jaeger")).ToList();
        Assert.NotEmpty(namespaced);
        var byName = resources.ToDictionary(r => r.Name, StringComparer.Ordinal);
        foreach (var resource in namespaced)
        {
            Assert.True(WaitsFor(resource, holder.Name, byName, []), $"Tilt resource '{resource.Name}' can be applied before the namespace exists (deps: {string.Join(", ", resource.ResourceDeps)})");
        }
    }

    [Fact]
    public void Tilt_renders_the_chart_for_a_kubernetes_version_chart_yaml_accepts()
    {
        var render = Assert.Single(TiltfilePlan.HelmTemplates);
        var version = KubeVersionFlag().Match(render);
        Assert.True(version.Success, "`helm template` without --kube-version checks kubeVersion against Helm's built-in default, which Helm < 3.14 sets to v1.20:\n" + render);

        var minimum = ChartMinimum().Match((string)DaprOrdersChart.ChartYaml["kubeVersion"]!);
        Assert.True(minimum.Success);
        Assert.True(new Version(version.Groups["version"].Value) >= new Version(minimum.Groups["version"].Value));
        // The kind node the Tiltfile deploys to runs that version.
        Assert.Contains($"kindest/node:v{version.Groups["version"].Value}", File.ReadAllText(DaprOrdersChart.RepositoryPath("k8s/kind-cluster.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public void Development_values_fix_every_generated_secret_so_a_re_render_changes_nothing()
    {
        // bitnami rabbitmq templates/secrets.yaml generates a random password and Erlang cookie unless given; every
        // Tiltfile reload is a new `helm template`, so a generated value would change the Secret and restart the broker.
        var dev = DaprOrdersChart.ValuesWith("values-dev.yaml");

        Assert.False(string.IsNullOrEmpty((string?)dev.SelectToken("rabbitmq.auth.password")));
        Assert.False(string.IsNullOrEmpty((string?)dev.SelectToken("rabbitmq.auth.erlangCookie")));
        Assert.False(string.IsNullOrEmpty((string?)dev.SelectToken("redis.auth.password")));
    }

    [Fact]
    public void The_configmap_prometheus_mounts_is_rendered_whenever_prometheus_is()
    {
        var values = DaprOrdersChart.Values;
        var mounted = ((JArray)values.SelectToken("prometheus.server.extraConfigmapMounts")!).Select(m => (string)m["configMap"]!).ToList();
        var observability = DaprOrdersChart.Text("templates/observability.yaml");

        Assert.Equal(["daprorders-alert-rules"], mounted);
        var block = observability[..observability.IndexOf("name: daprorders-alert-rules", StringComparison.Ordinal)];
        var condition = block[block.LastIndexOf("{{- if", StringComparison.Ordinal)..];
        Assert.StartsWith("{{- if or .Values.observability.alertRules.enabled .Values.prometheus.enabled }}", condition, StringComparison.Ordinal);
    }

    [Fact]
    public void Pods_roll_when_a_secret_the_chart_creates_changes()
    {
        var deployments = DaprOrdersChart.Text("templates/deployments.yaml");

        Assert.Contains("checksum/secrets: {{ $chartSecrets }}", deployments, StringComparison.Ordinal);
        Assert.Contains("(include (print $.Template.BasePath \"/secret-store.yaml\") $)", deployments, StringComparison.Ordinal);
        Assert.Contains("(include (print $.Template.BasePath \"/operator-access.yaml\") $)", deployments, StringComparison.Ordinal);
    }

    private static bool WaitsFor(TiltResource resource, string target, IReadOnlyDictionary<string, TiltResource> byName, HashSet<string> seen)
    {
        foreach (var dependency in resource.ResourceDeps)
        {
            if (dependency == target || (seen.Add(dependency) && byName.TryGetValue(dependency, out var next) && WaitsFor(next, target, byName, seen)))
            {
                return true;
            }
        }

        return false;
    }

    [GeneratedRegex(@"--kube-version (?<version>\d+\.\d+\.\d+)")]
    private static partial Regex KubeVersionFlag();

    [GeneratedRegex(@">=\s*(?<version>\d+\.\d+\.\d+)")]
    private static partial Regex ChartMinimum();
}
