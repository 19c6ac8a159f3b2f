using System.Diagnostics;
using DaprOrders.BuildingBlocks.Messaging;
using DaprOrders.Contracts;
using DaprOrders.EndToEnd.Tests.Infrastructure;

namespace DaprOrders.EndToEnd.Tests.Observability;

/// <summary>
/// W3C trace context through the saga: one trace from <c>POST /orders</c> to Notification handling
/// <c>order.completed</c>, continued across every pub/sub hop by the sidecar.
/// <para>
/// How spans relate (docs/observability.md): a publish runs in a producer span (<c>send {topic}</c>) whose HttpClient
/// span carries <c>traceparent</c> to the sidecar; the sidecar's span for the publish becomes the CloudEvent's
/// <c>traceparent</c> (outbox events: only <c>traceid</c>); every delivery is a child span of it whose id arrives in the
/// delivery's <c>traceparent</c> header; ASP.NET Core continues that header in its server span, under which the
/// consumer span (<c>process {topic}</c>) runs and links to the CloudEvent's context. The two sidecar spans are daprd's
/// (exported by daprd to Jaeger); the emulator does not create Activities for them, so in-process they appear only as
/// parent ids that no recorded span has. The test therefore checks every hop in two halves: the consumer side (server
/// span parented outside the process, link in the same trace) and the publisher side (the producer span of that event,
/// whose in-process ancestry reaches the previous consumer span or the intake span).
/// </para>
/// </summary>
public sealed class TracingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task One_trace_runs_from_the_intake_request_to_the_notification_across_every_pubsub_hop()
    {
        using var recorder = new SpanRecorder();
        await using var system = await OrderSystem.StartAsync(o => o.Output = output);
        var sku = TestOrders.NewSku();
        await system.SetStockAsync(sku, 10);

        var orderId = await system.SubmitAsync(TestOrders.Order(TestOrders.Customer(), (sku, 2, 1500)));
        await Eventually.UntilAsync(() => system.GetNotificationsAsync(orderId), n => n.Count == 1, "the notification");
        await system.QuiesceAsync();

        var apps = system.AppsByPort();
        var intake = Assert.Single(recorder.Spans, s =>
            s.Kind == ActivityKind.Server && s.GetTagItem("server.port") is int port && port == system.Ordering.BaseAddress!.Port
            && RecordedTrace.Tag(s, "http.request.method") == "POST" && RecordedTrace.Tag(s, "url.path") == "/orders");
        Assert.Equal("POST /orders", intake.DisplayName);
        // Every subscriber's handling of every event of this order is in the intake's trace.
        (string App, string Type)[] expected =
        [
            ("inventory", EventTypes.OrderCreated), ("ordering", EventTypes.StockReserved),
            ("payment", EventTypes.PaymentRequested), ("ordering", EventTypes.PaymentSucceeded),
            ("notification", EventTypes.OrderCompleted),
        ];
        // Audit takes its topics by bulk subscribe: one request, and so one server and consumer span, serves events of
        // many traces, so its consumer span links to each event's context instead of running inside its trace.
        string[] auditLinked =
        [
            EventTypes.NotificationSent, EventTypes.OrderCompleted, EventTypes.OrderCreated, EventTypes.PaymentRequested,
            EventTypes.PaymentSucceeded, EventTypes.StockReserved,
        ];
        // A handler's spans end just after its response reaches the sidecar (the server span last), so the last
        // deliveries' spans may still be ending when the sidecar is idle: wait for them.
        var trace = await Eventually.UntilAsync(
            () => Task.FromResult(new RecordedTrace(recorder.Spans, intake.TraceId)),
            t => expected.All(Delivered(t, apps).Contains) && AuditLinked(recorder, apps, intake.TraceId).SequenceEqual(auditLinked),
            "every subscriber's consumer and server span in the intake's trace, and Audit's links to every event");
        output.WriteLine(trace.Describe());
        var delivered = Delivered(trace, apps);
        Assert.All(expected, e => Assert.True(delivered.Contains(e), $"{e.App} handling {e.Type} is not in the trace"));
        Assert.Equal(auditLinked, AuditLinked(recorder, apps, intake.TraceId));
        Assert.DoesNotContain(trace.Deliveries(apps), d => d.App == "audit");

        // Walk back from the notification to the intake, one pub/sub hop at a time.
        // A redelivery (a handler's RETRY after a lost ETag race) would add spans; the first delivery is the one to follow.
        var current = trace.Deliveries(apps)
            .First(d => d.App == "notification" && RecordedTrace.Tag(d.Consumer, "cloudevents.event_type") == EventTypes.OrderCompleted).Consumer;
        var hops = new List<string>();
        while (true)
        {
            var type = RecordedTrace.Tag(current, "cloudevents.event_type")!;
            hops.Add(type);
            AssertDeliveredBySidecar(trace, current, type);

            var publisher = PublisherOf(trace, current, type);
            var origin = OriginOf(trace, publisher, intake);
            if (origin == intake)
            {
                break;
            }

            Assert.True(hops.Count < 10, "the chain of hops does not reach the intake request");
            current = origin;
        }

        Assert.Equal([EventTypes.OrderCompleted, EventTypes.PaymentSucceeded, EventTypes.PaymentRequested, EventTypes.StockReserved, EventTypes.OrderCreated], hops);

        // The outbox event carries no traceparent, only traceid (dapr/dapr release-1.17 pkg/runtime/pubsub/outbox.go); the delivery continues from it.
        var created = Assert.Single(system.Deliveries.To("inventory"), d => d.Type == EventTypes.OrderCreated && d.OrderId == orderId).Event;
        Assert.Equal(string.Empty, created["traceparent"]?.GetValue<string>());
        Assert.Contains($"-{intake.TraceId}-", created["traceid"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calls_to_the_sidecar_are_client_spans_in_the_order_s_trace()
    {
        using var recorder = new SpanRecorder();
        await using var system = await OrderSystem.StartAsync(o => o.Output = output);
        var sku = TestOrders.NewSku();
        await system.SetStockAsync(sku, 10);

        var orderId = await system.SubmitAsync(TestOrders.Order(TestOrders.Customer(), (sku, 1, 1500)));
        await Eventually.UntilAsync(() => system.GetNotificationsAsync(orderId), n => n.Count == 1, "the notification");
        await system.QuiesceAsync();

        var intake = Assert.Single(recorder.Spans, s =>
            s.Kind == ActivityKind.Server && s.GetTagItem("server.port") is int port && port == system.Ordering.BaseAddress!.Port
            && RecordedTrace.Tag(s, "http.request.method") == "POST" && RecordedTrace.Tag(s, "url.path") == "/orders");
        // The last publishes' client spans may still be ending when the sidecar is idle: wait for the producers' calls.
        var trace = await Eventually.UntilAsync(
            () => Task.FromResult(new RecordedTrace(recorder.Spans, intake.TraceId)),
            t => t.Spans.Count(s => s.Kind == ActivityKind.Producer) >= 4
                 && t.Spans.Where(s => s.Kind == ActivityKind.Producer).All(p => SidecarCalls(t).Any(c => IsUnder(t, c, p))),
            "a client span to the sidecar under every producer span");
        output.WriteLine(trace.Describe());

        // The services trace the same sources as this recorder: a client span whose parent is missing would reach an
        // exporter as an orphan (as the HttpClient span inside an untraced Grpc.Net.Client activity did).
        Assert.All(trace.Spans.Where(s => s.Kind == ActivityKind.Client && s.ParentSpanId != default), span => Assert.NotNull(trace.Parent(span)));

        // The intake stores the order (and its outbox event) through the sidecar's state API, within the request: one
        // gRPC ExecuteStateTransaction of the SDK's DaprClient (HTTP 200; the gRPC status travels in the trailers).
        var store = Assert.Single(SidecarCalls(trace), c => IsOutboxTransaction(c) && IsUnder(trace, c, intake));
        Assert.Equal("POST", RecordedTrace.Tag(store, "http.request.method"));
        Assert.Equal("200", RecordedTrace.Tag(store, "http.response.status_code"));

        // Every publish of the saga reaches the sidecar's publish API (gRPC PublishEvent of the SDK's DaprClient) as a
        // client span of its producer span.
        Assert.All(trace.Spans.Where(s => s.Kind == ActivityKind.Producer), producer => Assert.Contains(SidecarCalls(trace), c =>
            IsUnder(trace, c, producer) && RecordedTrace.Tag(c, "url.full") is { } url
            && url.Contains("/dapr.proto.runtime.v1.Dapr/PublishEvent", StringComparison.Ordinal)));
    }

    /// <summary>
    /// HttpClient spans to a sidecar's Dapr API, HTTP (<c>/v1.0/...</c>) or gRPC (<c>/dapr.proto.runtime.v1.Dapr/...</c>),
    /// as opposed to the sidecar's deliveries into apps.
    /// </summary>
    private static IEnumerable<Activity> SidecarCalls(RecordedTrace trace) =>
        trace.Spans.Where(s => s.Kind == ActivityKind.Client && s.Source.Name == "System.Net.Http"
            && RecordedTrace.Tag(s, "url.full") is { } url
            && (url.Contains("/v1.0/", StringComparison.Ordinal) || url.Contains("/dapr.proto.runtime.v1.Dapr/", StringComparison.Ordinal)));

    /// <summary>The intake's state transaction (the only one: the saga's status changes are plain saves).</summary>
    private static bool IsOutboxTransaction(Activity span) =>
        RecordedTrace.Tag(span, "url.full")?.Contains("/dapr.proto.runtime.v1.Dapr/ExecuteStateTransaction", StringComparison.Ordinal) == true;

    private static bool IsUnder(RecordedTrace trace, Activity span, Activity ancestor)
    {
        for (var current = trace.Parent(span); current is not null; current = trace.Parent(current))
        {
            if (current == ancestor)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Event types Audit's bulk consumer spans link to in <paramref name="traceId"/>, in ordinal order, each as often as linked.</summary>
    private static List<string> AuditLinked(SpanRecorder recorder, IReadOnlyDictionary<int, string> apps, ActivityTraceId traceId)
    {
        // Each bulk delivery is a trace of its own: find Audit's consumer spans by their server span's port.
        var spans = recorder.Spans;
        var servers = spans.Where(s => s.Kind == ActivityKind.Server).ToDictionary(s => (s.TraceId, s.SpanId));
        return
        [
            .. spans.Where(s => s.Source.Name == MessagingTelemetry.Name && s.Kind == ActivityKind.Consumer
                    && servers.TryGetValue((s.TraceId, s.ParentSpanId), out var server)
                    && server.GetTagItem("server.port") is int port && apps.GetValueOrDefault(port) == "audit")
                .SelectMany(s => s.Links)
                .Where(l => l.Context.TraceId == traceId)
                .Select(l => l.Tags?.FirstOrDefault(t => t.Key == "cloudevents.event_type").Value?.ToString() ?? string.Empty)
                .Order(StringComparer.Ordinal),
        ];
    }

    private static HashSet<(string App, string Type)> Delivered(RecordedTrace trace, IReadOnlyDictionary<int, string> apps) =>
        trace.Deliveries(apps).Select(d => (d.App, Type: RecordedTrace.Tag(d.Consumer, "cloudevents.event_type") ?? string.Empty)).ToHashSet();

    /// <summary>
    /// The consumer span runs under the server span of daprd's delivery, whose parent is the sidecar's delivery span
    /// (not an Activity here), and links to the context the CloudEvent carries, in the same trace.
    /// </summary>
    private static void AssertDeliveredBySidecar(RecordedTrace trace, Activity consumer, string type)
    {
        var server = trace.Parent(consumer);
        Assert.True(server is { Kind: ActivityKind.Server }, $"the {type} consumer span is not a child of a server span");
        Assert.StartsWith("/events/", RecordedTrace.Tag(server!, "url.path"), StringComparison.Ordinal);
        Assert.NotEqual(default, server!.ParentSpanId);
        Assert.False(trace.Contains(server.ParentSpanId), $"the {type} delivery's parent should be the sidecar's span, not an app span");

        Assert.Equal("dapr", RecordedTrace.Tag(consumer, "messaging.system"));
        Assert.False(string.IsNullOrEmpty(RecordedTrace.Tag(consumer, "messaging.message.id")));
        var link = Assert.Single(consumer.Links);
        Assert.Equal(trace.TraceId, link.Context.TraceId);
        Assert.False(trace.Contains(link.Context.SpanId), $"the {type} CloudEvent's traceparent should be the publisher sidecar's span");
    }

    /// <summary>The span that handed the event to the sidecar: the producer span, or for the outbox's order.created the state transaction.</summary>
    private static Activity PublisherOf(RecordedTrace trace, Activity consumer, string type)
    {
        if (type == EventTypes.OrderCreated)
        {
            var transaction = trace.Spans.FirstOrDefault(s => s.Kind == ActivityKind.Client && IsOutboxTransaction(s));
            Assert.True(transaction is not null, "no client span for the outbox transaction on orderstore");
            return transaction;
        }

        var topic = RecordedTrace.Tag(consumer, "messaging.destination.name");
        // The first publish of that event that started before this delivery (a retried handler may publish again).
        var producer = trace.Spans.FirstOrDefault(s => s.Kind == ActivityKind.Producer && RecordedTrace.Tag(s, "cloudevents.event_type") == type
            && s.StartTimeUtc <= consumer.StartTimeUtc);
        Assert.True(producer is not null, $"no producer span for {type} started before its delivery");
        Assert.Equal(topic, RecordedTrace.Tag(producer, "messaging.destination.name"));
        Assert.Equal($"send {topic}", producer.DisplayName);
        return producer;
    }

    /// <summary>Climbs the recorded parents of a publisher to the consumer span it ran in, or to the intake server span.</summary>
    private static Activity OriginOf(RecordedTrace trace, Activity publisher, Activity intake)
    {
        for (var span = trace.Parent(publisher); span is not null; span = trace.Parent(span))
        {
            if (span == intake || span.Kind == ActivityKind.Consumer)
            {
                return span;
            }
        }

        throw new Xunit.Sdk.XunitException($"the ancestry of {RecordedTrace.Describe(publisher)} leaves the recorded spans");
    }
}
