using System.Text.RegularExpressions;

namespace DaprOrders.Deployment.Tests.Chart;

/// <summary>
/// The .NET services are built by one recipe: every services/&lt;Service&gt;/Dockerfile is the same text but for the
/// defaults of ARG SERVICE (the folder and project suffix) and ARG PORT (the chart's port), so a plain
/// <c>docker build -f services/&lt;Service&gt;/Dockerfile .</c> builds that service and a fix to the recipe is made in
/// all five or fails here.
/// </summary>
public sealed partial class ServiceDockerfileTests
{
    private static readonly IReadOnlyList<DaprOrdersSystem.App> DotNetApps = [.. DaprOrdersSystem.Apps.Where(a => a.IsDotNet)];

    [Fact]
    public void Every_dotnet_service_Dockerfile_is_the_same_recipe_but_for_its_defaults()
    {
        var recipes = DotNetApps
            .Select(app => (Dockerfile: $"{app.Directory}/Dockerfile", Recipe: DefaultsPattern().Replace(Read(app), "ARG ${name}=…")))
            .ToList();

        Assert.Equal(5, recipes.Count);
        Assert.All(recipes, r => Assert.Equal(recipes[0].Recipe, r.Recipe));
    }

    [Fact]
    public void Each_Dockerfile_defaults_to_its_own_folder_project_and_chart_port()
    {
        var ports = DaprOrdersChart.Values["services"]!;
        foreach (var app in DotNetApps)
        {
            var defaults = DefaultsPattern().Matches(Read(app)).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value, StringComparer.Ordinal);

            Assert.Equal(app.Directory, $"services/{defaults["SERVICE"]}");
            Assert.Equal($"DaprOrders.{defaults["SERVICE"]}.csproj", app.Project);
            Assert.Equal((int)ports[app.Id]!["port"]!, int.Parse(defaults["PORT"], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static string Read(DaprOrdersSystem.App app) => File.ReadAllText(DaprOrdersChart.RepositoryPath($"{app.Directory}/Dockerfile"));

    [GeneratedRegex(@"^ARG (?<name>SERVICE|PORT)=(?<value>\S+)\r?$", RegexOptions.Multiline)]
    private static partial Regex DefaultsPattern();
}
