using System.Text.RegularExpressions;
using DaprOrders.Deployment.Validation;
using Newtonsoft.Json.Linq;

namespace DaprOrders.Deployment.Tests.Chart;

/// <summary>
/// The images the chart's pods run, checked against what the chart demands of them: a user the kubelet can verify as
/// non-root, and nothing the image needs hidden under a volume the chart mounts. Images come from two places: the
/// services' Dockerfiles (CI's kind job and production) and the Tiltfile's builds (development).
/// </summary>
public sealed partial class ChartImageTests
{
    private static JObject ChartServices => (JObject)DaprOrdersChart.Values["services"]!;

    /// <summary>Every Dockerfile an image of a chart pod is built from: the services' own and those the Tiltfile builds with.</summary>
    public static TheoryData<string> ImageDockerfiles() =>
        [.. DaprOrdersSystem.Apps.Select(a => $"{a.Directory}/Dockerfile").Concat(TiltfilePlan.Builds.Select(b => b.Dockerfile)).Distinct()];

    [Fact]
    public void Chart_demands_non_root_without_naming_the_user()
    {
        // The premise of the USER check below: with runAsNonRoot and no runAsUser, the image's own USER decides.
        var helpers = DaprOrdersChart.Text("templates/_helpers.tpl");
        var deployments = DaprOrdersChart.Text("templates/deployments.yaml");

        Assert.Contains("runAsNonRoot: true", helpers, StringComparison.Ordinal);
        Assert.Contains("include \"dapr-orders.podSecurityContext\"", deployments, StringComparison.Ordinal);
        Assert.DoesNotContain("runAsUser", helpers + deployments, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ImageDockerfiles))]
    public void Image_runs_as_a_numeric_non_root_user(string dockerfile)
    {
        var image = DockerfileImage.Read(DaprOrdersChart.RepositoryPath(dockerfile), dockerfile);

        Assert.True(image.RunsAsVerifiableNonRoot,
            $"{dockerfile}: the final stage runs as USER '{image.User ?? "(none: root)"}'. The chart sets runAsNonRoot without runAsUser, " +
            "so the kubelet refuses any user that is not a number other than 0 (CreateContainerConfigError). Use USER <uid>:<gid>.");
    }

    [Theory]
    [InlineData("FROM node:20-slim\nUSER node\n", false)]
    [InlineData("FROM node:20-slim\n", false)]
    [InlineData("FROM node:20-slim\nUSER 0:0\n", false)]
    [InlineData("FROM node:20-slim\nUSER 1000:1000\n", true)]
    [InlineData("FROM mcr.microsoft.com/dotnet/aspnet:10.0\nUSER $APP_UID\n", true)]
    [InlineData("FROM mcr.microsoft.com/dotnet/aspnet:10.0\nUSER ${APP_UID}\nFROM node:20-slim AS next\n", false)]
    [InlineData("FROM node:20-slim\nENV RUNTIME_UID=1000\nUSER $RUNTIME_UID\n", true)]
    public void Numeric_user_check_reads_the_final_stage_after_expansion(string dockerfile, bool verifiable)
    {
        Assert.Equal(verifiable, DockerfileImage.Parse(dockerfile, "Dockerfile").RunsAsVerifiableNonRoot);
    }

    [Fact]
    public void Kind_workflow_builds_and_loads_an_image_for_every_chart_service()
    {
        // GitHub Actions reads `on:` as a key, not as YAML 1.1's boolean: that one finding does not apply here.
        var findings = new List<Finding>();
        var workflow = (JObject)YamlResourceReader.ReadFile(DaprOrdersChart.RepositoryPath(".github/workflows/kubernetes.yml"), "kubernetes.yml", findings).Single().Json;
        Assert.All(findings, f => Assert.Equal("yaml-1.1-boolean", f.Code));
        var steps = (JArray)workflow.SelectToken("jobs.helm-kind.steps")!;
        var build = steps.Select(s => (string?)s["run"] ?? "").Single(r => r.Contains("kind load docker-image", StringComparison.Ordinal));
        var install = steps.Select(s => (string?)s["run"] ?? "").Single(r => r.Contains("helm upgrade --install \"$RELEASE\"", StringComparison.Ordinal));

        // The pods name {image.registry}/{repository}:{tag}; the install sets the tag and forbids pulling.
        Assert.Contains("-f charts/dapr-orders/values-dev.yaml", install, StringComparison.Ordinal);
        Assert.Contains("--set image.tag=ci --set image.pullPolicy=Never", install, StringComparison.Ordinal);
        var registry = (string)DaprOrdersChart.ValuesWith("values-dev.yaml").SelectToken("image.registry")!;

        var loop = WorkflowServiceLoop().Match(build);
        Assert.True(loop.Success, "the build step has no `for service in ...; do` loop:\n" + build);
        var built = loop.Groups["services"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        foreach (var (name, service) in ChartServices)
        {
            var reference = $"{registry}/{(string)service!.SelectToken("image.repository")!}:ci";
            Assert.True(built.Contains(name), $"the kind job never builds '{reference}' for chart service '{name}'; with pullPolicy Never its pod fails with ErrImageNeverPull");
            Assert.Equal($"daprorders/{name}:ci", reference);
            // The loop's folder rule (services/<Name>, else services/<name>) finds the service's Dockerfile.
            var capitalized = DaprOrdersChart.RepositoryPath($"services/{char.ToUpperInvariant(name[0])}{name[1..]}");
            var folder = Directory.Exists(capitalized) ? capitalized : DaprOrdersChart.RepositoryPath($"services/{name}");
            Assert.True(File.Exists(Path.Combine(folder, "Dockerfile")), $"no Dockerfile for '{name}' where the workflow looks");
        }

        // The loop body that the reference and folder rule above stand for.
        Assert.Contains("docker build -f \"$folder/Dockerfile\" -t \"daprorders/$service:ci\" .", build, StringComparison.Ordinal);
        Assert.Contains("kind load docker-image \"daprorders/$service:ci\" --name daprorders", build, StringComparison.Ordinal);
        Assert.Contains("folder=\"services/${service^}\"", build, StringComparison.Ordinal);
        Assert.Contains("[ -d \"$folder\" ] || folder=\"services/$service\"", build, StringComparison.Ordinal);
    }

    [Fact]
    public void Tiltfile_builds_an_image_for_every_chart_service()
    {
        var registry = (string)DaprOrdersChart.ValuesWith("values-dev.yaml").SelectToken("image.registry")!;
        var built = TiltfilePlan.Builds.Select(b => b.Ref).ToList();

        foreach (var (name, service) in ChartServices)
        {
            var reference = $"{registry}/{(string)service!.SelectToken("image.repository")!}";
            Assert.True(built.Count(r => r == reference) == 1, $"the Tiltfile builds '{reference}' (chart service '{name}') {built.Count(r => r == reference)} times, expected once; built: {string.Join(", ", built)}");
        }

        Assert.All(TiltfilePlan.Builds, b => Assert.True(File.Exists(DaprOrdersChart.RepositoryPath(b.Dockerfile)), b.Dockerfile));
    }

    [Fact]
    public void No_path_an_image_build_writes_lies_under_a_volume_the_chart_mounts()
    {
        var mounts = MountPaths();
        Assert.NotEmpty(mounts);

        // What a build puts into the image and the process needs at run time: the final stage's WORKDIR and COPY/ADD
        // destinations; for Tilt also the restart marker and the live-update sync targets. A volume mounted over any
        // of them hides it (an emptyDir starts empty).
        var needed = new List<(string Image, string Path)>();
        foreach (var app in DaprOrdersSystem.Apps)
        {
            var dockerfile = $"{app.Directory}/Dockerfile";
            needed.AddRange(DockerfileImage.Read(DaprOrdersChart.RepositoryPath(dockerfile), dockerfile).WrittenPaths.Select(p => (dockerfile, p)));
        }

        foreach (var build in TiltfilePlan.Builds)
        {
            var image = $"Tilt {build.Ref} ({build.Dockerfile})";
            needed.AddRange(DockerfileImage.Read(DaprOrdersChart.RepositoryPath(build.Dockerfile), build.Dockerfile).WrittenPaths.Select(p => (image, p)));
            needed.AddRange(build.Syncs.Select(p => (image, p)));
            if (build.RestartFile is { } marker)
            {
                needed.Add((image + " restart marker", marker));
            }
        }

        Assert.Contains(needed, n => n.Image.EndsWith("restart marker", StringComparison.Ordinal));
        var hidden = needed.Where(n => mounts.Any(m => IsAtOrUnder(n.Path, m))).Select(n => $"{n.Image}: {n.Path}").ToList();
        Assert.True(hidden.Count == 0,
            $"paths the image needs lie under a volume the chart mounts ({string.Join(", ", mounts)}), which hides them:\n" + string.Join("\n", hidden));
    }

    [Theory]
    [InlineData("/tmp/.restart-proc", "/tmp", true)]
    [InlineData("/tmp", "/tmp", true)]
    [InlineData("/tmpfile", "/tmp", false)]
    [InlineData("/app/.restart-proc", "/tmp", false)]
    public void Mount_check_compares_whole_path_segments(string path, string mount, bool hidden)
    {
        Assert.Equal(hidden, IsAtOrUnder(path, mount));
    }

    private static IReadOnlyList<string> MountPaths() =>
        [.. MountPathPattern().Matches(DaprOrdersChart.Text("templates/deployments.yaml")).Select(m => m.Groups["path"].Value.Trim('"')).Distinct()];

    private static bool IsAtOrUnder(string path, string mount) =>
        path == mount || path.StartsWith(mount.TrimEnd('/') + "/", StringComparison.Ordinal);

    [GeneratedRegex(@"for service in (?<services>[a-z ]+); do")]
    private static partial Regex WorkflowServiceLoop();

    [GeneratedRegex(@"mountPath:\s*(?<path>\S+)")]
    private static partial Regex MountPathPattern();
}
