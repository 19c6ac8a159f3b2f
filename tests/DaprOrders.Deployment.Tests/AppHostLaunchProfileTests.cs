using System.Text.Json;
using System.Text.RegularExpressions;
using DaprOrders.Deployment.Validation;
using DaprOrders.Testing;

namespace DaprOrders.Deployment.Tests;

public sealed partial class AppHostLaunchProfileTests
{
    /// <summary>
    /// The AppHost tests start the AppHost with its launch profile, so its fixed ports are bound while other test
    /// assemblies pick ports with <see cref="LoopbackPorts"/>: each must lie in the block that is never picked.
    /// </summary>
    [Fact]
    public void Every_fixed_port_of_the_launch_profile_is_one_test_ports_are_never_picked_from()
    {
        var path = Path.Combine(RepositoryLayout.Locate().Root, "services", "DaprOrders.AppHost", "Properties", "launchSettings.json");
        using var settings = JsonDocument.Parse(File.ReadAllText(path));

        var ports = settings.RootElement.GetProperty("profiles").EnumerateObject()
            .SelectMany(profile => Urls(profile.Value))
            .Select(url => new Uri(url).Port)
            .ToList();

        Assert.NotEmpty(ports);
        Assert.All(ports, port => Assert.True(LoopbackPorts.IsAppHostPort(port), $"launch profile port {port} may be handed to another test"));
    }

    private static IEnumerable<string> Urls(JsonElement profile)
    {
        var values = new List<string>();
        if (profile.TryGetProperty("applicationUrl", out var applicationUrl))
        {
            values.AddRange(applicationUrl.GetString()!.Split(';'));
        }

        if (profile.TryGetProperty("environmentVariables", out var environment))
        {
            values.AddRange(environment.EnumerateObject().Select(v => v.Value.GetString() ?? string.Empty));
        }

        return values.Where(v => UrlWithPort().IsMatch(v));
    }

    [GeneratedRegex(@"^https?://[^/]+:\d+")]
    private static partial Regex UrlWithPort();
}
