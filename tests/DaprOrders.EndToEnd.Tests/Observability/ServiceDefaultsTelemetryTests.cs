using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using DaprOrders.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprOrders.EndToEnd.Tests.Observability;

/// <summary>
/// What <c>AddServiceDefaults</c> wires: OTLP export of traces and metrics (server and client spans, HTTP metrics)
/// driven by the standard OTEL_* settings and none without OTEL_EXPORTER_OTLP_ENDPOINT, and JSON console logs that
/// carry the request's trace and span ids.
/// </summary>
public sealed class ServiceDefaultsTelemetryTests
{
    [Fact]
    public async Task With_an_otlp_endpoint_the_service_exports_its_spans_and_metrics_over_http_protobuf()
    {
        await using var collector = await FakeOtlpCollector.StartAsync();
        var app = await StartServiceAsync(new Dictionary<string, string?>
        {
            ["APP_ID"] = "probe-service",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "service.namespace=daprorders-test",
        });
        using (var client = new HttpClient { BaseAddress = Address(app) })
        {
            Assert.Equal("probed", await client.GetStringAsync("probe/42"));
        }

        // Stopping the host disposes the providers, which flushes the batch of spans and the last metric points.
        await app.StopAsync();
        await app.DisposeAsync();

        var traces = collector.Received("/v1/traces");
        Assert.Contains(traces, body => Has(body, "probe-service") && Has(body, "GET /probe/{id}") && Has(body, "daprorders-test"));
        var metrics = collector.Received("/v1/metrics");
        Assert.Contains(metrics, body => Has(body, "probe-service") && Has(body, "http.server.request.duration"));
    }

    [Fact]
    public async Task Without_the_shared_otlp_endpoint_nothing_is_exported()
    {
        // Per-signal endpoints alone do not turn export on: UseOtlpExporter is added only with OTEL_EXPORTER_OTLP_ENDPOINT.
        await using var collector = await FakeOtlpCollector.StartAsync();
        var app = await StartServiceAsync(new Dictionary<string, string?>
        {
            ["APP_ID"] = "quiet-service",
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = collector.Endpoint + "/v1/traces",
            ["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"] = collector.Endpoint + "/v1/metrics",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        });
        using (var client = new HttpClient { BaseAddress = Address(app) })
        {
            Assert.Equal("probed", await client.GetStringAsync("probe/42"));
        }

        // Stopping the host would flush an exporter's batch, had one been added.
        await app.StopAsync();
        await app.DisposeAsync();

        Assert.Empty(collector.Received("/v1/traces"));
        Assert.Empty(collector.Received("/v1/metrics"));
    }

    [Fact]
    public async Task Outgoing_http_calls_are_exported_as_client_spans()
    {
        await using var collector = await FakeOtlpCollector.StartAsync();
        var app = await StartServiceAsync(new Dictionary<string, string?>
        {
            ["APP_ID"] = "calling-service",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        });
        using (var client = new HttpClient { BaseAddress = Address(app) })
        {
            // The service calls the collector's probe route: an HttpClient call like those to the sidecar.
            Assert.Equal("called", await client.GetStringAsync("call?target=" + Uri.EscapeDataString(collector.Endpoint + "/outgoing-probe")));
        }

        await app.StopAsync();
        await app.DisposeAsync();

        Assert.Contains(collector.Received("/v1/traces"), body =>
            Has(body, "calling-service") && Has(body, "GET /call") && Has(body, collector.Endpoint + "/outgoing-probe"));
        Assert.Contains(collector.Received("/v1/metrics"), body => Has(body, "http.client.request.duration"));
    }

    [Fact]
    public async Task Json_console_logs_written_inside_a_request_carry_its_trace_and_span_ids()
    {
        var original = Console.Out;
        var console = new StringWriter();
        string traceId;
        string spanId;
        // The console logger takes Console.Out when the host builds it; tests in this assembly run one at a time.
        Console.SetOut(TextWriter.Synchronized(console));
        try
        {
            var app = await StartServiceAsync(new Dictionary<string, string?> { ["APP_ID"] = "logging-service" });
            using (var client = new HttpClient { BaseAddress = Address(app) })
            {
                var ids = (await client.GetStringAsync("log")).Split(' ');
                (traceId, spanId) = (ids[0], ids[1]);
            }

            // Disposing the host drains the console logger's queue.
            await app.DisposeAsync();
        }
        finally
        {
            Console.SetOut(original);
        }

        var line = Assert.Single(console.ToString().Split('\n'), l => l.Contains("Probe log line", StringComparison.Ordinal));
        using var entry = JsonDocument.Parse(line);
        Assert.Equal("Warning", entry.RootElement.GetProperty("LogLevel").GetString());
        var scope = Assert.Single(entry.RootElement.GetProperty("Scopes").EnumerateArray(), s => s.TryGetProperty("TraceId", out _));
        Assert.Equal(traceId, scope.GetProperty("TraceId").GetString());
        Assert.Equal(spanId, scope.GetProperty("SpanId").GetString());
        Assert.Matches("^[0-9a-f]{32}$", traceId);
    }

    private static bool Has(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    private static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>A service as the five build theirs: AddServiceDefaults / UseServiceDefaults and a couple of endpoints.</summary>
    private static async Task<WebApplication> StartServiceAsync(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddServiceDefaults();
        var app = builder.Build();
        app.UseServiceDefaults();
        app.MapGet("/probe/{id}", (int id) => "probed");
        app.MapGet("/call", async (string target) =>
        {
            using var http = new HttpClient();
            using var response = await http.GetAsync(new Uri(target));
            return response.IsSuccessStatusCode ? "called" : "failed";
        });
        app.MapGet("/log", (ILoggerFactory loggers) =>
        {
            loggers.CreateLogger("DaprOrders.Probe").LogWarning("Probe log line");
            return $"{Activity.Current?.TraceId} {Activity.Current?.SpanId}";
        });
        await app.StartAsync();
        return app;
    }

    /// <summary>Accepts OTLP/HTTP exports on 127.0.0.1 and keeps the protobuf bodies (strings in them are plain UTF-8).</summary>
    private sealed class FakeOtlpCollector : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();

        private FakeOtlpCollector(WebApplication app) => _app = app;

        public string Endpoint => Address(_app).ToString().TrimEnd('/');

        public static async Task<FakeOtlpCollector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var collector = new FakeOtlpCollector(app);
            app.MapGet("/outgoing-probe", () => "ok");
            app.MapPost("/{**signal}", async (HttpContext context) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                collector._received.Enqueue((context.Request.Path, body.ToArray()));
                context.Response.ContentType = "application/x-protobuf";
            });
            await app.StartAsync();
            return collector;
        }

        public IReadOnlyList<byte[]> Received(string path) => [.. _received.Where(r => r.Path == path).Select(r => r.Body)];

        public ValueTask DisposeAsync() => _app.DisposeAsync();
    }
}
