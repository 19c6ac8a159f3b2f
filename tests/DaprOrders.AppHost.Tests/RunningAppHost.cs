using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using DaprOrders.OrderCli;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.AppHost.Tests;

/// <summary>
/// services/DaprOrders.AppHost, started once for the test class as `dotnet run` starts it, dashboard included (the
/// testing builder turns it off by default), and stopped at the end.
/// </summary>
public sealed class RunningAppHost : IAsyncLifetime
{
    /// <summary>Generous: eight processes start and JIT on a loaded 2-core machine.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(6);

    public static readonly string[] Services = ["ordering", "inventory", "payment", "notification", "audit"];

    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("not started");

    public Uri Dashboard { get; private set; } = null!;

    public HttpClient DashboardApi { get; } = new();

    public async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.DaprOrders_AppHost>(
            [], (options, _) => options.DisableDashboard = false);
        _app = await builder.BuildAsync();
        using var start = new CancellationTokenSource(StartTimeout);
        await _app.StartAsync(start.Token);

        // The dashboard's telemetry API takes the key the AppHost generated and handed to the dashboard process.
        var notifications = _app.Services.GetRequiredService<ResourceNotificationService>();
        var dashboard = await notifications.WaitForResourceAsync("aspire-dashboard", e => e.Snapshot.EnvironmentVariables.Any(v => v.Name == "DASHBOARD__API__PRIMARYAPIKEY"), start.Token);
        string Env(string name) => dashboard.Snapshot.EnvironmentVariables.Single(v => v.Name == name).Value!;
        Dashboard = new Uri(Env("ASPNETCORE_URLS").Split(';')[0]);
        BrowserToken = Env("DASHBOARD__FRONTEND__BROWSERTOKEN");
        DashboardApi.BaseAddress = Dashboard;
        DashboardApi.DefaultRequestHeaders.Add("x-api-key", Env("DASHBOARD__API__PRIMARYAPIKEY"));

        // Healthy: the apps answer /healthz, the emulated sidecars /v1.0/healthz (their apps are connected).
        foreach (var resource in Resources)
        {
            await notifications.WaitForResourceHealthyAsync(resource, start.Token);
        }
    }

    /// <summary>Every resource of the AppHost: the emulator, the five services and the JavaScript app.</summary>
    public static IEnumerable<string> Resources => new[] { "dapr", "loyalty" }.Concat(Services);

    public string BrowserToken { get; private set; } = "";

    /// <summary>
    /// Submits one happy-path sample order with the order CLI's core, under a trace id of the test's choosing (a W3C
    /// traceparent on POST /orders), and waits until it is terminal.
    /// </summary>
    public static async Task<(OrderResult Result, string TraceId)> SubmitHappyOrderAsync()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var http = new HttpClient(new TraceparentOnSubmit(traceId)) { BaseAddress = new Uri("http://127.0.0.1:5100/") };
        var order = OrderSubmissionEvent.Create(SampleOrders.Create(SampleKind.Happy, Guid.NewGuid().ToString("N")[..8]));
        var report = await new OrderRun(new OrderIntakeClient(http), TimeProvider.System)
            .RunAsync([order], new OrderRunOptions { TerminalTimeout = TimeSpan.FromMinutes(2) });
        return (Assert.Single(report.Results), traceId);
    }

    /// <summary>The spans the dashboard received (over OTLP) for one trace, as (service.name, span name) pairs.</summary>
    public async Task<IReadOnlyList<(string Service, string Span)>> SpansOfTraceAsync(string traceId)
    {
        // Filtered by the dashboard: unfiltered it answers at most 200 spans (dotnet/aspire, Aspire.Dashboard
        // TelemetryApiService DefaultLimit), and on a loaded machine the start-up's health-probe spans alone fill them.
        var body = await DashboardApi.GetFromJsonAsync<JsonObject>($"api/telemetry/spans?traceId={traceId}");
        var spans = new List<(string, string)>();
        foreach (var resourceSpans in body?["data"]?["resourceSpans"]?.AsArray() ?? [])
        {
            var service = resourceSpans!["resource"]?["attributes"]?.AsArray()
                .FirstOrDefault(a => a?["key"]?.GetValue<string>() == "service.name")?["value"]?["stringValue"]?.GetValue<string>() ?? "?";
            foreach (var scope in resourceSpans["scopeSpans"]?.AsArray() ?? [])
            {
                foreach (var span in scope!["spans"]?.AsArray() ?? [])
                {
                    if (span!["traceId"]?.GetValue<string>() == traceId)
                    {
                        spans.Add((service, span["name"]!.GetValue<string>()));
                    }
                }
            }
        }

        return spans;
    }

    /// <summary>Starts POST /orders in the given trace; the status polls stay out of it.</summary>
    private sealed class TraceparentOnSubmit(string traceId) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Post)
            {
                request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    public async Task DisposeAsync()
    {
        DashboardApi.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
