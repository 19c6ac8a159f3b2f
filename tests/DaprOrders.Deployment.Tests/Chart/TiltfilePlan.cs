using System.Diagnostics;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace DaprOrders.Deployment.Tests.Chart;

/// <summary>One image build the Tiltfile declares (docker_build or the restart extension's docker_build_with_restart).</summary>
/// <param name="Ref">Image reference the chart's pods name.</param>
/// <param name="Context">Build context, relative to the repository.</param>
/// <param name="Dockerfile">Dockerfile, relative to the repository.</param>
/// <param name="Syncs">Container paths that live update writes.</param>
/// <param name="RestartFile">The restart extension's marker (created at build, rewritten on each live update); null for docker_build.</param>
internal sealed record TiltImageBuild(string Ref, string Context, string Dockerfile, IReadOnlyList<string> Syncs, string? RestartFile);

/// <summary>One k8s_resource or helm_resource of the Tiltfile: its name, the objects it holds, what it waits for.</summary>
internal sealed record TiltResource(string Name, string Workload, IReadOnlyList<string> Objects, IReadOnlyList<string> ResourceDeps);

/// <summary>A <c>local_resource</c>: a command Tilt runs on the host, again whenever a file under one of its deps changes.</summary>
internal sealed record TiltLocalResource(string Name, string Command, IReadOnlyList<string> Deps);

/// <summary>
/// The image builds of the Tiltfile, found by running it (tiltfile_plan.py) with Tilt's builtins recorded instead of
/// executed: the loops and branches that pick what to build run as Tilt would run them.
/// </summary>
internal static class TiltfilePlan
{
    private static readonly Lazy<Plan> s_plan = new(Run);

    public static IReadOnlyList<TiltImageBuild> Builds => s_plan.Value.Builds;

    public static IReadOnlyList<TiltResource> Resources => s_plan.Value.Resources;

    public static IReadOnlyList<TiltLocalResource> LocalResources => s_plan.Value.LocalResources;

    /// <summary>The `helm template` commands the Tiltfile runs.</summary>
    public static IReadOnlyList<string> HelmTemplates => s_plan.Value.HelmTemplates;

    private sealed record Plan(IReadOnlyList<TiltImageBuild> Builds, IReadOnlyList<TiltResource> Resources,
        IReadOnlyList<TiltLocalResource> LocalResources, IReadOnlyList<string> HelmTemplates);

    private static Plan Run()
    {
        // read_yaml() gets the chart's values files as the deployment tests read them.
        var yamlFiles = new JObject
        {
            ["charts/dapr-orders/values.yaml"] = DaprOrdersChart.Values,
            ["charts/dapr-orders/values-dev.yaml"] = DaprOrdersChart.ReadYaml(DaprOrdersChart.PathOf("values-dev.yaml")),
        };
        var yamlJson = Path.Combine(Path.GetTempPath(), $"tiltfile-plan-{Guid.NewGuid():N}.json");
        File.WriteAllText(yamlJson, yamlFiles.ToString(Formatting.None));
        try
        {
            var start = new ProcessStartInfo("python3")
            {
                ArgumentList =
                {
                    DaprOrdersChart.RepositoryPath("tests/DaprOrders.Deployment.Tests/Chart/tiltfile_plan.py"),
                    DaprOrdersChart.Repository.Root,
                    yamlJson,
                },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            using var python = Process.Start(start)!;
            var stderr = python.StandardError.ReadToEndAsync();
            var stdout = python.StandardOutput.ReadToEnd();
            Assert.True(python.WaitForExit(60_000), "tiltfile_plan.py did not finish within 60 s");
            Assert.True(python.ExitCode == 0, "running the Tiltfile with recorded builtins failed:\n" + stderr.Result);
            return JsonConvert.DeserializeObject<Plan>(stdout)!;
        }
        finally
        {
            File.Delete(yamlJson);
        }
    }
}
