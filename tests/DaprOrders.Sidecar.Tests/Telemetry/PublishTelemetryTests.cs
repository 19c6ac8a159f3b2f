using System.Collections.Concurrent;
using System.Diagnostics;
using DaprOrders.Sidecar.Telemetry;
using DaprOrders.Sidecar.Tests.Infrastructure;

namespace DaprOrders.Sidecar.Tests.Telemetry;

/// <summary>A publish runs in a producer span whose HttpClient child carries <c>traceparent</c> to the sidecar.</summary>
public sealed class PublishTelemetryTests : IAsyncLifetime
{
    private static readonly ActivitySource TestSource = new("DaprOrders.Sidecar.Tests.Publish");
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ActivityListener _listener;
    private RecordingSidecar _sidecar = null!;

    public PublishTelemetryTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is SidecarTelemetry.Name or "System.Net.Http" or "DaprOrders.Sidecar.Tests.Publish",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public async Task InitializeAsync() => _sidecar = await RecordingSidecar.StartAsync();

    public async Task DisposeAsync()
    {
        _listener.Dispose();
        await _sidecar.DisposeAsync();
    }

    [Fact]
    public async Task Publish_is_a_producer_span_and_the_sidecar_receives_its_client_spans_traceparent()
    {
        var client = _sidecar.CreateClient();
        ActivityTraceId traceId;
        using (var handler = TestSource.StartActivity("handler"))
        {
            traceId = handler!.TraceId;
            await client.PublishEventAsync("orderpubsub", "orders", new Order(7, 9.5m), TestJsonContext.Default.Order,
                new PublishOptions { CloudEventType = "com.acme.order.created" });
        }

        var trace = _spans.Where(s => s.TraceId == traceId).ToList();
        var producer = Assert.Single(trace, s => s.Source.Name == SidecarTelemetry.Name);
        var http = Assert.Single(trace, s => s.Source.Name == "System.Net.Http");
        Assert.Equal((ActivityKind.Producer, "send orders"), (producer.Kind, producer.DisplayName));
        Assert.Equal(("dapr", "orders", "orderpubsub", "com.acme.order.created"), (
            producer.GetTagItem("messaging.system"), producer.GetTagItem("messaging.destination.name"),
            producer.GetTagItem("dapr.pubsub.name"), producer.GetTagItem("cloudevents.event_type")));
        Assert.Equal(producer.SpanId, http.ParentSpanId);
        Assert.Equal($"00-{traceId}-{http.SpanId}-01", _sidecar.Single().Header("traceparent"));
    }

    [Fact]
    public async Task A_rejected_publish_marks_the_producer_span_as_failed()
    {
        _sidecar.RespondWith(ScriptedResponse.DaprError(404, "ERR_PUBSUB_NOT_FOUND", "pubsub nope is not found"));
        var client = _sidecar.CreateClient();
        ActivityTraceId traceId;
        using (var handler = TestSource.StartActivity("handler"))
        {
            traceId = handler!.TraceId;
            await Assert.ThrowsAsync<DaprApiException>(() =>
                client.PublishEventAsync("nope", "orders", new Order(7, 9.5m), TestJsonContext.Default.Order));
        }

        var producer = Assert.Single(_spans, s => s.TraceId == traceId && s.Source.Name == SidecarTelemetry.Name);
        Assert.Equal(ActivityStatusCode.Error, producer.Status);
        Assert.Equal(typeof(DaprApiException).FullName, producer.GetTagItem("error.type"));
    }
}
