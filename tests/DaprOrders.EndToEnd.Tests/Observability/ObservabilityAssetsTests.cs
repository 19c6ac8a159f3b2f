using System.Diagnostics;
using System.Text.Json;

namespace DaprOrders.EndToEnd.Tests.Observability;

/// <summary>The alert rules and the dashboard the chart ships are valid for the tools that load them.</summary>
public sealed class ObservabilityAssetsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_alert_rules_pass_promtool_check_rules()
    {
        var promtool = FindOnPath("promtool")
            ?? throw new Xunit.Sdk.XunitException(
                "promtool is not installed. It ships in Debian's 'prometheus' package: tools/test.sh installs it " +
                "(apt-get install --no-install-recommends prometheus), or install it yourself.");

        var (exitCode, text) = await RunAsync(promtool, "check", "rules", ObservabilityFiles.AlertRules);
        output.WriteLine(text);

        Assert.True(exitCode == 0, $"promtool check rules failed ({exitCode}):{Environment.NewLine}{text}");
        Assert.Contains("SUCCESS: 4 rules found", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_dashboard_is_grafana_json_with_a_prometheus_query_in_every_panel()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(ObservabilityFiles.Dashboard));
        var root = dashboard.RootElement;
        Assert.Equal("daprorders-overview", root.GetProperty("uid").GetString());
        var panels = root.GetProperty("panels").EnumerateArray().ToList();
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        Assert.All(panels, panel =>
        {
            Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            var targets = panel.GetProperty("targets").EnumerateArray().ToList();
            Assert.NotEmpty(targets);
            Assert.All(targets, t => Assert.False(string.IsNullOrWhiteSpace(t.GetProperty("expr").GetString())));
        });
        string[] promised = ["Orders/s by outcome", "Saga duration p50 / p99", "Handler error rate per topic", "Retries", "Dead letters", "Stock available per SKU", "Sidecars up"];
        Assert.All(promised, title => Assert.Contains(panels, p => p.GetProperty("title").GetString() == title));
    }

    [Fact]
    public void The_documentation_lists_every_daprd_metric_the_dashboard_and_alerts_use()
    {
        var docs = File.ReadAllText(ObservabilityFiles.Documentation);
        Assert.All(PromQlMetrics.DaprSidecarMetrics, metric => Assert.Contains($"`{metric}`", docs, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("sum by (job, topic) (rate(daprorders_pubsub_handler_duration_seconds_count{outcome=~\"error|retry\"}[5m]))", "daprorders_pubsub_handler_duration_seconds_count")]
    [InlineData("histogram_quantile(0.99, sum by (le) (rate(daprorders_saga_duration_seconds_bucket[$__rate_interval]))) > 30", "daprorders_saga_duration_seconds_bucket")]
    [InlineData("up{job=\"kubernetes-pods\"} == 0", "up")]
    [InlineData("a_total / on (job) group_left b_total", "a_total,b_total")]
    public void Metric_names_are_read_from_promql_without_functions_labels_or_numbers(string expression, string expected)
    {
        Assert.Equal(expected.Split(',').Order(StringComparer.Ordinal), PromQlMetrics.In(expression).Order(StringComparer.Ordinal));
    }

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
