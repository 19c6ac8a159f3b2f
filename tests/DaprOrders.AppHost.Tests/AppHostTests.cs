using Aspire.Hosting.ApplicationModel;
using DaprOrders.OperationsPage.Tests;
using DaprOrders.OrderCli;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.AppHost.Tests;

/// <summary>
/// The embedded default run as a developer gets it from `dotnet run --project services/DaprOrders.AppHost`: every
/// resource runs, an order completes, and the dashboard holds that order's trace across the four saga services, with
/// Audit's bulk-delivery span linked to it.
/// </summary>
public sealed class AppHostTests(RunningAppHost host, ITestOutputHelper output) : IClassFixture<RunningAppHost>
{
    [Fact]
    public async Task Every_resource_runs_an_order_completes_and_the_dashboard_received_its_trace_from_all_five_services_audit_by_link()
    {
        // The fixture waited until every resource was healthy; each is still running.
        var notifications = host.App.Services.GetRequiredService<ResourceNotificationService>();
        foreach (var resource in RunningAppHost.Resources)
        {
            Assert.True(notifications.TryGetCurrentState(resource, out var state), resource);
            Assert.Equal(KnownResourceStates.Running, state.Snapshot.State?.Text);
        }

        var (order, traceId) = await RunningAppHost.SubmitHappyOrderAsync();
        Assert.Equal(OrderOutcome.Completed, order.Outcome);

        // The services batch their spans (OTLP, every few seconds): poll the dashboard until all of them reported.
        var spans = await Eventually.UntilAsync(
            () => host.SpansOfTraceAsync(traceId),
            // A service exports its spans as they end, in batches: wait for the notification's server span itself.
            s => RunningAppHost.SagaServices.All(service => s.Any(span => span.Service == service))
                && s.Any(span => span.Service == "notification" && span.Span.StartsWith("POST /events/", StringComparison.Ordinal)),
            $"spans of trace {traceId} from {string.Join(", ", RunningAppHost.SagaServices)} in the dashboard",
            TimeSpan.FromMinutes(2));
        output.WriteLine(string.Join(Environment.NewLine, spans.Select(s => $"{s.Service}: {s.Span}")));
        Assert.Contains(("ordering", "POST /orders"), spans);
        Assert.Contains(spans, s => s.Service == "notification" && s.Span.StartsWith("POST /events/", StringComparison.Ordinal));

        // Audit's bulk delivery carries events of many orders, so its consumer span of each topic's batch links to this
        // trace instead of joining it: one per event of the order.
        string[] auditedTopics = ["order-created", "stock-reserved", "payment-requested", "payment-succeeded", "order-completed", "notification-sent"];
        var audit = await Eventually.UntilAsync(
            () => host.SpansLinkedToTraceAsync("audit", traceId),
            s => auditedTopics.All(topic => s.Contains($"process {topic}")),
            $"audit's consumer spans of {string.Join(", ", auditedTopics)} linked to trace {traceId} in the dashboard",
            TimeSpan.FromMinutes(2));
        output.WriteLine(string.Join(Environment.NewLine, audit.Select(s => $"audit (linked): {s}")));
    }

    [Fact]
    public void The_services_export_to_the_dashboard_without_retrying_so_ctrl_c_does_not_wait_on_it()
    {
        // On Ctrl-C the dashboard stops together with the services; with Aspire's in-memory OTLP retry each service's
        // last flush retried against it for seconds, past the orchestrator's stop timeout.
        var notifications = host.App.Services.GetRequiredService<ResourceNotificationService>();
        foreach (var service in RunningAppHost.Services)
        {
            Assert.True(notifications.TryGetCurrentState(service, out var state), service);
            var environment = state.Snapshot.EnvironmentVariables.Where(v => v.IsFromSpec).Select(v => v.Name).ToList();
            Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT", environment);
            Assert.DoesNotContain("OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY", environment);
        }
    }

    [Fact]
    public async Task The_dashboard_shows_one_orders_trace_in_a_browser()
    {
        BrowserScript.AssertPrerequisites();
        var (order, traceId) = await RunningAppHost.SubmitHappyOrderAsync();
        Assert.Equal(OrderOutcome.Completed, order.Outcome);
        await Eventually.UntilAsync(
            () => host.SpansOfTraceAsync(traceId),
            s => s.Any(span => span.Service == "notification"),
            $"the notification's spans of trace {traceId} in the dashboard",
            TimeSpan.FromMinutes(2));

        var screenshot = Path.Combine(AppContext.BaseDirectory, "TestResults", "aspire-dashboard", "dashboard-trace.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        File.Delete(screenshot);
        var (exitCode, log) = await BrowserScript.RunAsync(Path.Combine("aspire-dashboard", "trace-view.mjs"), new Dictionary<string, string>
        {
            ["DASHBOARD_URL"] = host.Dashboard.ToString(),
            ["BROWSER_TOKEN"] = host.BrowserToken,
            ["TRACE_ID"] = traceId,
            ["SCREENSHOT"] = screenshot,
        }, TimeSpan.FromMinutes(3));
        output.WriteLine(log);

        Assert.True(exitCode == 0, $"the browser script failed (exit {exitCode}):{Environment.NewLine}{log}");
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the script wrote no screenshot of the trace view");
    }
}
