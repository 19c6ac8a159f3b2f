using System.Diagnostics;
using System.Text.RegularExpressions;

namespace DaprOrders.Deployment.Tests.Chart;

/// <summary>The Tiltfile (Starlark, a Python subset) parses and names only files that exist.</summary>
public sealed partial class TiltfileTests
{
    private static readonly string s_tiltfile = DaprOrdersChart.RepositoryPath("Tiltfile");

    private static string Text => File.ReadAllText(s_tiltfile);

    [Fact]
    public void Tiltfile_parses_as_python()
    {
        var start = new ProcessStartInfo("python3")
        {
            ArgumentList = { "-c", "import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])", s_tiltfile },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var python = Process.Start(start)!;
        var errors = python.StandardError.ReadToEnd();
        Assert.True(python.WaitForExit(30_000), "python3 did not finish within 30 s");

        Assert.True(python.ExitCode == 0, "Tiltfile is not valid Python/Starlark syntax:\n" + errors);
    }

    [Fact]
    public void Every_repository_path_in_the_tiltfile_exists()
    {
        // tilt/publish/ is the generated `dotnet publish` output (git-ignored), created by the Tiltfile itself.
        var paths = PathLiteral().Matches(Text).Select(m => m.Groups["path"].Value)
            .Where(p => !p.StartsWith("tilt/publish/", StringComparison.Ordinal))
            // Ignore patterns name build output that need not exist (node_modules appears after `npm ci`).
            .Where(p => !p.EndsWith("/node_modules", StringComparison.Ordinal))
            .Distinct()
            .ToList();

        Assert.Contains("charts/dapr-orders/values-dev.yaml", paths);
        Assert.Contains("k8s/dapr-values.yaml", paths);
        Assert.Contains("k8s/jaeger.yaml", paths);
        Assert.Contains("tilt/Dockerfile.dev", paths);
        Assert.All(paths, p => Assert.True(File.Exists(DaprOrdersChart.RepositoryPath(p)) || Directory.Exists(DaprOrdersChart.RepositoryPath(p)), $"Tiltfile names '{p}', which does not exist"));
    }

    [Fact]
    public void Per_service_paths_built_by_the_tiltfile_exist_for_every_chart_service()
    {
        // The Tiltfile derives folder, project and entry assembly from the service name: services/<Name>/DaprOrders.<Name>.csproj.
        Assert.Contains("folder = 'services/' + name.capitalize()", Text, StringComparison.Ordinal);
        Assert.Contains("project = '%s/DaprOrders.%s.csproj' % (folder, name.capitalize())", Text, StringComparison.Ordinal);
        Assert.Contains("SERVICES = read_yaml(CHART_VALUES)['services']", Text, StringComparison.Ordinal);
        foreach (var name in ((Newtonsoft.Json.Linq.JObject)DaprOrdersChart.Values["services"]!).Properties().Select(p => p.Name))
        {
            if (!DaprOrdersSystem.Apps.Single(a => a.Id == name).IsDotNet)
            {
                // JavaScript services build their own Dockerfile (services/loyalty/Dockerfile).
                Assert.Contains($"dockerfile='services/{name}/Dockerfile'", Text, StringComparison.Ordinal);
                continue;
            }

            var capitalized = char.ToUpperInvariant(name[0]) + name[1..];
            Assert.True(File.Exists(DaprOrdersChart.RepositoryPath($"services/{capitalized}/DaprOrders.{capitalized}.csproj")), name);
        }
    }

    [Fact]
    public void Dapr_is_installed_first_and_every_service_waits_for_it()
    {
        var text = Text;

        Assert.True(text.IndexOf("helm_resource(\n    'dapr',", StringComparison.Ordinal) < text.IndexOf("k8s_yaml(local(", StringComparison.Ordinal));
        Assert.Contains("'--values=' + DAPR_VALUES", text, StringComparison.Ordinal);
        Assert.Contains("resource_deps=['dapr', 'dapr-resources', 'rabbitmq', 'redis', name + '-publish']", text, StringComparison.Ordinal);
        Assert.Contains("new_name='dapr-resources'", text, StringComparison.Ordinal);
        Assert.Contains("--skip-tests", text, StringComparison.Ordinal);
        Assert.Contains("live_update=[sync(publish_dir, '/app')]", text, StringComparison.Ordinal);
        foreach (var label in new[] { "labels=['infra']", "labels=['services']", "labels=['observability']", "labels=['build']" })
        {
            Assert.Contains(label, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Tilt_resource_names_follow_the_dependency_names_fixed_in_values()
    {
        var values = DaprOrdersChart.Values;
        var text = Text;

        // StatefulSet/Deployment names come from each dependency's fullnameOverride (Redis adds "-master").
        Assert.Contains($"k8s_resource('{(string?)values.SelectToken("rabbitmq.fullnameOverride")}', new_name='rabbitmq'", text, StringComparison.Ordinal);
        Assert.Contains($"k8s_resource('{(string?)values.SelectToken("redis.fullnameOverride")}-master', new_name='redis'", text, StringComparison.Ordinal);
        Assert.Contains($"k8s_resource('{(string?)values.SelectToken("prometheus.server.fullnameOverride")}', new_name='prometheus'", text, StringComparison.Ordinal);
        // Service workloads are "<release>-<service>", the chart's naming with fullnameOverride unset.
        Assert.Equal("", (string?)values["fullnameOverride"]);
        Assert.Contains("'%s-%s' % (RELEASE, name)", text, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"'(?<path>(?:charts|k8s|tilt|services)/[A-Za-z0-9._/-]+)'")]
    private static partial Regex PathLiteral();
}
