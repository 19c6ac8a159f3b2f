using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using DaprOrders.Sidecar.AppCallbacks;
using DaprOrders.Sidecar.Telemetry;
using DaprOrders.Sidecar.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.Sidecar.Tests.Telemetry;

/// <summary>
/// Every <c>WithTopic</c> handler is measured (duration, outcome) and traced (consumer span under the server span,
/// linked to the CloudEvent's trace context) without any registration by the app.
/// </summary>
public sealed class TopicDeliveryTelemetryTests : IAsyncLifetime
{
    private const string CloudEventTraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private readonly ConcurrentQueue<(double Seconds, Dictionary<string, string?> Tags)> _handled = new();
    private readonly ConcurrentQueue<Dictionary<string, string?>> _redelivered = new();
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly MeterListener _meters = new();
    private readonly ActivityListener _activities;
    private readonly ActivityTraceId _deliveryTrace = ActivityTraceId.CreateRandom();
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public TopicDeliveryTelemetryTests()
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name is SidecarTelemetry.Name or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            // Other test classes run in parallel: keep only this test's deliveries.
            ActivityStopped = a => { if (a.TraceId == _deliveryTrace) { _spans.Enqueue(a); } },
        };
        ActivitySource.AddActivityListener(_activities);
    }

    public async Task InitializeAsync()
    {
        _app = await TestApp.StartAsync(
            builder => builder.Services.AddDaprSidecar(o => o.HttpEndpoint = new Uri("http://127.0.0.1:1")),
            app =>
            {
                app.MapPost("/events/ok", (CloudEvent<Order> e) => TopicResponse.Success()).WithTopic("orderpubsub", "ok");
                app.MapPost("/events/retry", (CloudEvent<Order> e) => TopicResponse.Retry()).WithTopic("orderpubsub", "retry");
                app.MapPost("/events/drop", (CloudEvent<Order> e) => TopicResponse.Drop()).WithTopic("orderpubsub", "drop");
                app.MapPost("/events/throw", (CloudEvent<Order> e) => Throw()).WithTopic("orderpubsub", "throw");
                app.MapPost("/events/gone", (CloudEvent<Order> e) => Results.NotFound()).WithTopic("orderpubsub", "gone");
                app.MapPost("/events/plain", () => Results.Ok()).WithTopic("orderpubsub", "plain");
            });
        var factory = _app.Services.GetRequiredService<IMeterFactory>();
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SidecarTelemetry.Name && instrument.Meter.Scope == factory)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => _handled.Enqueue((value, Copy(tags))));
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _redelivered.Enqueue(Copy(tags)));
        _meters.Start();
        _http = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _meters.Dispose();
        _activities.Dispose();
        _http.Dispose();
        await _app.DisposeAsync();
    }

    [Theory]
    [InlineData("/events/ok", "ok", "success")]
    [InlineData("/events/retry", "retry", "retry")]
    [InlineData("/events/drop", "drop", "drop")]
    [InlineData("/events/throw", "throw", "error")]
    [InlineData("/events/gone", "gone", "drop")]
    [InlineData("/events/plain", "plain", "success")]
    public async Task The_handler_duration_is_recorded_with_the_outcome_daprd_will_act_on(string path, string topic, string outcome)
    {
        using var response = await DeliverAsync(path, Envelope("evt-" + topic));

        var (seconds, tags) = Assert.Single(_handled);
        Assert.Equal(("orderpubsub", topic, outcome), (tags["pubsub"], tags["topic"], tags["outcome"]));
        Assert.Equal(path == "/events/plain" ? "unknown" : "com.acme.order.created", tags["event_type"]);
        Assert.InRange(seconds, 0, 30);
    }

    [Fact]
    public async Task An_unreadable_delivery_is_recorded_as_a_drop()
    {
        using var response = await DeliverAsync("/events/ok", "not json");

        Assert.Equal("drop", Assert.Single(_handled).Tags["outcome"]);
    }

    [Fact]
    public async Task A_second_delivery_of_the_same_cloudevent_id_is_counted_as_a_redelivery()
    {
        (await DeliverAsync("/events/retry", Envelope("evt-again"))).Dispose();
        Assert.Empty(_redelivered);

        (await DeliverAsync("/events/retry", Envelope("evt-again"))).Dispose();
        (await DeliverAsync("/events/retry", Envelope("evt-other"))).Dispose();

        var redelivery = Assert.Single(_redelivered);
        Assert.Equal(("retry", "com.acme.order.created"), (redelivery["topic"], redelivery["event_type"]));
    }

    [Fact]
    public async Task The_consumer_span_runs_under_the_server_span_and_links_to_the_cloudevent_trace_context()
    {
        using var response = await DeliverAsync("/events/retry", Envelope("evt-span"));
        // The test server completes the response before the host stops its request span.
        await Eventually.UntilAsync(
            () => Task.FromResult(_spans.Any(s => s.Source.Name == "Microsoft.AspNetCore")), "the server span to end");

        var consumer = Assert.Single(_spans, s => s.Source.Name == SidecarTelemetry.Name);
        var server = Assert.Single(_spans, s => s.Source.Name == "Microsoft.AspNetCore");
        Assert.Equal((ActivityKind.Consumer, "process retry"), (consumer.Kind, consumer.DisplayName));
        Assert.Equal(server.SpanId, consumer.ParentSpanId);
        Assert.Equal("b7ad6b7169203331", server.ParentSpanId.ToString());
        Assert.Equal("dapr", consumer.GetTagItem("messaging.system"));
        Assert.Equal("retry", consumer.GetTagItem("messaging.destination.name"));
        Assert.Equal("evt-span", consumer.GetTagItem("messaging.message.id"));
        Assert.Equal("com.acme.order.created", consumer.GetTagItem("cloudevents.event_type"));
        Assert.Equal("orderpubsub", consumer.GetTagItem("dapr.pubsub.name"));
        Assert.Equal(ActivityStatusCode.Error, consumer.Status);
        var link = Assert.Single(consumer.Links);
        Assert.Equal(("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"), (link.Context.TraceId.ToString(), link.Context.SpanId.ToString()));
    }

    private static string Envelope(string id) => $$"""
        {"data":{"amount":9.50,"orderId":1},"datacontenttype":"application/json","id":"{{id}}","pubsubname":"orderpubsub",
         "source":"checkout","specversion":"1.0","topic":"orders","traceid":"{{CloudEventTraceParent}}",
         "traceparent":"{{CloudEventTraceParent}}","tracestate":"","type":"com.acme.order.created"}
        """;

    private static IResult Throw() => throw new InvalidOperationException("handler failed");

    private static Dictionary<string, string?> Copy(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            copy[key] = value?.ToString();
        }

        return copy;
    }

    private Task<HttpResponseMessage> DeliverAsync(string path, string body)
    {
        // As daprd delivers: structured mode, Pubsubname header, traceparent of the sidecar's delivery span.
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/cloudevents+json"),
        };
        request.Headers.Add("Pubsubname", "orderpubsub");
        request.Headers.Add("traceparent", $"00-{_deliveryTrace}-b7ad6b7169203331-01");
        return _http.SendAsync(request);
    }
}
