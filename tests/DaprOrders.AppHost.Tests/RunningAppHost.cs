using System.Collections.Concurrent;
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

    /// <summary>The services whose spans run inside an order's trace; Audit takes events in bulk and links to it instead.</summary>
    public static IEnumerable<string> SagaServices => Services.Where(s => s != "audit");

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
        using var watch = CancellationTokenSource.CreateLinkedTokenSource(start.Token);
        var notifications = _app.Services.GetRequiredService<ResourceNotificationService>();
        // A resource that dies while starting (a port taken, a crash) leaves everything that waits for it waiting
        // until the timeout; fail at once instead, with what it printed.
        var resources = new ResourceWatch(notifications, _app.Services.GetRequiredService<ResourceLoggerService>(), Resources, watch.Token);
        try
        {
            await FailFastAsync(StartAndWaitUntilHealthyAsync(notifications, start.Token), resources);
        }
        catch (OperationCanceledException) when (start.IsCancellationRequested)
        {
            var states = new List<string>();
            foreach (var name in Resources)
            {
                var state = notifications.TryGetCurrentState(name, out var e) ? $"{e.Snapshot.State?.Text}, health {e.Snapshot.HealthStatus?.ToString() ?? "none"}" : "no state";
                states.Add($"--- {name}: {state}{Environment.NewLine}{await resources.LastLinesAsync(name, TimeSpan.Zero)}");
            }

            throw new TimeoutException($"the AppHost's resources were not all healthy after {StartTimeout}:{Environment.NewLine}{string.Join(Environment.NewLine, states)}");
        }
        finally
        {
            await watch.CancelAsync();
        }
    }

    private async Task StartAndWaitUntilHealthyAsync(ResourceNotificationService notifications, CancellationToken cancellationToken)
    {
        await App.StartAsync(cancellationToken);

        // The dashboard's telemetry API takes the key the AppHost generated and handed to the dashboard process.
        var dashboard = await notifications.WaitForResourceAsync("aspire-dashboard", e => e.Snapshot.EnvironmentVariables.Any(v => v.Name == "DASHBOARD__API__PRIMARYAPIKEY"), cancellationToken);
        string Env(string name) => dashboard.Snapshot.EnvironmentVariables.Single(v => v.Name == name).Value!;
        Dashboard = new Uri(Env("ASPNETCORE_URLS").Split(';')[0]);
        BrowserToken = Env("DASHBOARD__FRONTEND__BROWSERTOKEN");
        DashboardApi.BaseAddress = Dashboard;
        DashboardApi.DefaultRequestHeaders.Add("x-api-key", Env("DASHBOARD__API__PRIMARYAPIKEY"));

        // Healthy: the apps answer /healthz, the emulated sidecars /v1.0/healthz (their apps are connected).
        foreach (var resource in Resources)
        {
            await notifications.WaitForResourceHealthyAsync(resource, cancellationToken);
        }
    }

    private static async Task FailFastAsync(Task starting, ResourceWatch resources)
    {
        if (await Task.WhenAny(starting, resources.Ended) != starting)
        {
            var dead = await resources.Ended;
            var output = await resources.LastLinesAsync(dead.Resource.Name, TimeSpan.FromSeconds(10));
            throw new InvalidOperationException(
                $"{dead.Resource.Name} ended ({dead.Snapshot.State?.Text}, exit code {dead.Snapshot.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}) while the AppHost started; its last output:{Environment.NewLine}{output}");
        }

        await starting;
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

    /// <summary>
    /// Names of <paramref name="service"/>'s spans that link to <paramref name="traceId"/>: a bulk delivery serves many
    /// orders' traces at once, so Audit's span runs in a trace of its own and links to each event's context.
    /// </summary>
    public async Task<IReadOnlyList<string>> SpansLinkedToTraceAsync(string service, string traceId)
    {
        // Newest first up to the limit; Audit's health probes add a span every few seconds, so the limit is generous.
        var body = await DashboardApi.GetFromJsonAsync<JsonObject>($"api/telemetry/spans?resource={Uri.EscapeDataString(service)}&limit=5000");
        var linked = new List<string>();
        foreach (var resourceSpans in body?["data"]?["resourceSpans"]?.AsArray() ?? [])
        {
            foreach (var scope in resourceSpans!["scopeSpans"]?.AsArray() ?? [])
            {
                foreach (var span in scope!["spans"]?.AsArray() ?? [])
                {
                    if ((span!["links"]?.AsArray() ?? []).Any(link => link?["traceId"]?.GetValue<string>() == traceId))
                    {
                        linked.Add(span["name"]!.GetValue<string>());
                    }
                }
            }
        }

        return linked;
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

/// <summary>
/// Watches resources while the AppHost starts: the first of them to end (none should while the run lasts), and what
/// each printed, for a failure message.
/// </summary>
internal sealed class ResourceWatch
{
    private const int Kept = 40;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _lines = new();
    private readonly HashSet<string> _followed = [];
    private readonly TaskCompletionSource<ResourceEvent> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ResourceWatch(ResourceNotificationService notifications, ResourceLoggerService logger, IEnumerable<string> resources, CancellationToken cancellationToken)
    {
        var watched = resources.ToHashSet();
        _ = Task.Run(() => WatchAsync(notifications, logger, watched, cancellationToken), CancellationToken.None);
    }

    /// <summary>Completes with the first watched resource to reach a terminal state.</summary>
    public Task<ResourceEvent> Ended => _ended.Task;

    /// <summary>The last lines a resource printed, waiting up to <paramref name="wait"/> for any: its output can trail its state.</summary>
    public async Task<string> LastLinesAsync(string resource, TimeSpan wait)
    {
        var lines = _lines.GetOrAdd(resource, _ => new ConcurrentQueue<string>());
        var deadline = Stopwatch.GetTimestamp() + (long)(wait.TotalSeconds * Stopwatch.Frequency);
        while (lines.IsEmpty && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        return lines.IsEmpty ? "(no output)" : string.Join(Environment.NewLine, lines);
    }

    private async Task WatchAsync(ResourceNotificationService notifications, ResourceLoggerService logger, HashSet<string> watched, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var e in notifications.WatchAsync(cancellationToken))
            {
                if (!watched.Contains(e.Resource.Name))
                {
                    continue;
                }

                // Output is kept per running instance (its resource id), and streamed only once someone watches it.
                if (_followed.Add(e.ResourceId))
                {
                    var lines = _lines.GetOrAdd(e.Resource.Name, _ => new ConcurrentQueue<string>());
                    _ = Task.Run(() => FollowAsync(logger, e.ResourceId, lines, cancellationToken), CancellationToken.None);
                }

                if (e.Snapshot.State?.Text is { } state && KnownResourceStates.TerminalStates.Contains(state))
                {
                    _ended.TrySetResult(e);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The AppHost started, or gave up.
        }
    }

    private static async Task FollowAsync(ResourceLoggerService logger, string resourceId, ConcurrentQueue<string> lines, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var batch in logger.WatchAsync(resourceId).WithCancellation(cancellationToken))
            {
                foreach (var line in batch)
                {
                    lines.Enqueue(line.Content);
                    if (lines.Count > Kept)
                    {
                        lines.TryDequeue(out _);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The AppHost started, or gave up.
        }
    }
}
