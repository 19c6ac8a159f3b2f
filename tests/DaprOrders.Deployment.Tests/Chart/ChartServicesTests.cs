using System.Text.RegularExpressions;
using DaprOrders.Deployment.Validation;
using Newtonsoft.Json.Linq;

namespace DaprOrders.Deployment.Tests.Chart;

/// <summary>The chart's one list of services agrees with the fixed design, dapr.yaml and each service's Dockerfile.</summary>
public sealed partial class ChartServicesTests
{
    private static JObject Services => (JObject)DaprOrdersChart.Values["services"]!;

    public static TheoryData<string> AppIds() => [.. DaprOrdersSystem.AppIds];

    [Fact]
    public void Services_are_the_six_apps_with_their_ids_and_ports()
    {
        Assert.Equal(DaprOrdersSystem.AppIds.Order(), Services.Properties().Select(p => p.Name).Order());
        foreach (var app in DaprOrdersSystem.Apps)
        {
            var service = Services[app.Id]!;
            Assert.Equal(app.Id, (string?)service["appId"]);
            Assert.Equal(app.AppPort, (int)service["port"]!);
        }
    }

    [Fact]
    public void Services_agree_with_the_dapr_run_file()
    {
        var (runFile, findings) = DaprRunFile.Load(DaprOrdersChart.Repository.RunFile, "dapr.yaml");
        Assert.Empty(findings);

        foreach (var app in runFile!.Apps)
        {
            var service = Services.Properties().Single(p => (string?)p.Value["appId"] == app.AppId).Value;
            Assert.Equal(app.AppPort, (int)service["port"]!);
            Assert.Equal(DaprOrdersSystem.Apps.Single(a => a.Id == app.AppId).Directory, app.AppDirPath.TrimStart('.', '/'));
        }
    }

    [Fact]
    public void Actor_hosts_and_public_services_are_flagged()
    {
        var actorHosts = DaprOrdersSystem.Topology.ActorTypeHosts.Values.ToHashSet();
        foreach (var (name, service) in Services)
        {
            Assert.Equal(actorHosts.Contains(name), (bool)service!["actors"]!);
        }

        Assert.Equal(["inventory", "ordering"], Services.Properties().Where(p => (bool)p.Value["public"]!).Select(p => p.Name).Order());
        // Public services name the paths the Ingress routes, which are their API groups.
        Assert.Equal(["/orders"], Services.SelectToken("ordering.paths")!.Select(p => (string)p!));
        Assert.Equal(["/stock"], Services.SelectToken("inventory.paths")!.Select(p => (string)p!));
    }

    [Theory]
    [MemberData(nameof(AppIds))]
    public void Dockerfile_exposes_the_service_port(string appId)
    {
        var app = DaprOrdersSystem.Apps.Single(a => a.Id == appId);
        var dockerfile = DockerfileImage.WithArgumentDefaults(File.ReadAllText(DaprOrdersChart.RepositoryPath($"{app.Directory}/Dockerfile")));
        var port = (int)Services[appId]!["port"]!;

        Assert.Equal(port, int.Parse(ExposePattern().Match(dockerfile).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        if (!app.IsDotNet)
        {
            // JavaScript: node:20-slim, the port in APP_PORT (the non-root user: ChartImageTests).
            Assert.Matches(@"FROM node:20-slim", dockerfile);
            Assert.Equal(port, int.Parse(AppPortPattern().Match(dockerfile).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(File.Exists(DaprOrdersChart.RepositoryPath($"{app.Directory}/package-lock.json")));
            return;
        }

        Assert.Equal(port, int.Parse(HttpPortsPattern().Match(dockerfile).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        // Multi-stage: SDK build, aspnet runtime; diagnostics off for a read-only root filesystem (the user: ChartImageTests).
        Assert.Matches(@"FROM mcr\.microsoft\.com/dotnet/sdk:10\.0 AS build", dockerfile);
        Assert.Matches(@"FROM mcr\.microsoft\.com/dotnet/aspnet:10\.0 AS runtime", dockerfile);
        Assert.Contains("DOTNET_EnableDiagnostics=0", dockerfile, StringComparison.Ordinal);
        var project = Path.GetFileNameWithoutExtension(app.Project);
        Assert.Contains($"SERVICE_ASSEMBLY={project}.dll", dockerfile, StringComparison.Ordinal);
        Assert.Contains("ENTRYPOINT [\"/bin/sh\", \"-c\", \"exec dotnet \\\"$SERVICE_ASSEMBLY\\\"\"]", dockerfile, StringComparison.Ordinal);
        Assert.True(File.Exists(DaprOrdersChart.RepositoryPath($"{app.Directory}/{app.Project}")));
    }

    [Fact]
    public void Dockerignore_keeps_build_output_and_git_out_of_the_context()
    {
        var ignored = File.ReadAllLines(DaprOrdersChart.RepositoryPath(".dockerignore"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();

        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/obj/", ignored);
        Assert.Contains("**/node_modules/", ignored);
        Assert.Contains(".git/", ignored);
        // The Dockerfiles copy these; ignoring them would break every image build.
        Assert.DoesNotContain(ignored, l => l is "services/" or "services" or "Directory.Build.props" or "Directory.Packages.props");
    }

    [GeneratedRegex(@"^EXPOSE\s+(\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex ExposePattern();

    [GeneratedRegex(@"ASPNETCORE_HTTP_PORTS=(\d+)")]
    private static partial Regex HttpPortsPattern();

    [GeneratedRegex(@"APP_PORT=(\d+)")]
    private static partial Regex AppPortPattern();
}
