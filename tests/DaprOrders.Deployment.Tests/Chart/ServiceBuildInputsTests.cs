using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace DaprOrders.Deployment.Tests.Chart;

/// <summary>
/// What builds a service's image must see of the repository: every project the service references, directly or
/// through another project. A Dockerfile restores from project files alone (its cached package layer) and then
/// publishes with --no-restore, so a referenced project missing from that layer fails `docker build`; a Tiltfile
/// publish step that does not watch a referenced project's folder keeps serving a stale build after an edit there.
/// </summary>
public sealed partial class ServiceBuildInputsTests
{
    public static TheoryData<string> DotNetApps() => [.. DaprOrdersSystem.Apps.Where(a => a.IsDotNet).Select(a => a.Id)];

    [Theory]
    [MemberData(nameof(DotNetApps))]
    public void Dockerfile_restore_layer_copies_exactly_the_projects_the_service_builds_from(string appId)
    {
        var app = DaprOrdersSystem.Apps.Single(a => a.Id == appId);
        var dockerfile = $"{app.Directory}/Dockerfile";
        var text = DockerfileImage.WithArgumentDefaults(File.ReadAllText(DaprOrdersChart.RepositoryPath(dockerfile)));
        var restore = text.IndexOf("RUN dotnet restore", StringComparison.Ordinal);
        Assert.True(restore > 0, $"{dockerfile} has no `RUN dotnet restore` step");

        var copied = CopiedProjectPattern().Matches(text[..restore]).Select(m => m.Groups["source"].Value).Order(StringComparer.Ordinal);

        Assert.Equal(ProjectClosure($"{app.Directory}/{app.Project}").Order(StringComparer.Ordinal), copied);
    }

    [Theory]
    [MemberData(nameof(DotNetApps))]
    public void Tiltfile_publish_step_watches_every_project_folder_the_service_builds_from(string appId)
    {
        var app = DaprOrdersSystem.Apps.Single(a => a.Id == appId);
        var publish = Assert.Single(TiltfilePlan.LocalResources, r => r.Name == $"{appId}-publish");

        Assert.Contains($"{app.Directory}/{app.Project}", publish.Command, StringComparison.Ordinal);
        foreach (var folder in ProjectClosure($"{app.Directory}/{app.Project}").Select(p => p[..p.LastIndexOf('/')]))
        {
            Assert.Contains(folder, publish.Deps);
        }

        Assert.All(publish.Deps, dep => Assert.True(Path.Exists(DaprOrdersChart.RepositoryPath(dep)), $"{appId}-publish watches {dep}, which does not exist"));
    }

    [Fact]
    public void Project_closure_follows_references_of_references()
    {
        var closure = ProjectClosure("services/Payment/DaprOrders.Payment.csproj");

        Assert.Contains("services/Payment/DaprOrders.Payment.csproj", closure);
        Assert.Contains("services/DaprOrders.Contracts/DaprOrders.Contracts.csproj", closure);
        Assert.DoesNotContain("services/Ordering/DaprOrders.Ordering.csproj", closure);
    }

    /// <summary>The project and every project it references, transitively, as repository-relative paths.</summary>
    private static HashSet<string> ProjectClosure(string project)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var current))
        {
            if (!found.Add(current))
            {
                continue;
            }

            var directory = current[..current.LastIndexOf('/')];
            foreach (var reference in XDocument.Load(DaprOrdersChart.RepositoryPath(current)).Descendants("ProjectReference"))
            {
                var include = reference.Attribute("Include")!.Value.Replace('\\', '/');
                pending.Push(Path.GetRelativePath(DaprOrdersChart.Repository.Root,
                    Path.GetFullPath(Path.Combine(DaprOrdersChart.RepositoryPath(directory), include))).Replace('\\', '/'));
            }
        }

        return found;
    }

    // COPY <project file> <folder>: the project files of the restore layer.
    [GeneratedRegex(@"^COPY\s+(?<source>\S+\.csproj)\s+\S+\s*$", RegexOptions.Multiline)]
    private static partial Regex CopiedProjectPattern();
}
