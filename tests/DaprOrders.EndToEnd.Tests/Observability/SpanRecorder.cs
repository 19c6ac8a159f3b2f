using System.Collections.Concurrent;
using System.Diagnostics;
using DaprOrders.BuildingBlocks.Messaging;
using DaprOrders.EndToEnd.Tests.Infrastructure;
using DaprOrders.ServiceDefaults.Telemetry;

namespace DaprOrders.EndToEnd.Tests.Observability;

/// <summary>
/// An in-process stand-in for the OpenTelemetry SDK: listens to the sources the services export (ASP.NET Core server
/// spans, HttpClient client spans, DaprOrders.*) and keeps every finished span. The emulator runs in the same process,
/// so its HTTP server and client spans are recorded too; the spans daprd itself would export (publish, delivery) are
/// not Activities in the emulator and appear only as parent ids and CloudEvent trace context.
/// </summary>
internal sealed class SpanRecorder : IDisposable
{
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ActivityListener _listener;

    public SpanRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore" || ServiceTelemetry.ClientActivitySources.Contains(source.Name)
                || source.Name.StartsWith("DaprOrders.", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Spans => [.. _spans];

    public void Dispose() => _listener.Dispose();
}

/// <summary>The spans of one trace, indexed by span id, with the questions the tests ask of them.</summary>
internal sealed class RecordedTrace
{
    private readonly Dictionary<ActivitySpanId, Activity> _byId;

    public RecordedTrace(IEnumerable<Activity> spans, ActivityTraceId traceId)
    {
        TraceId = traceId;
        Spans = [.. spans.Where(s => s.TraceId == traceId).OrderBy(s => s.StartTimeUtc)];
        _byId = Spans.ToDictionary(s => s.SpanId);
    }

    public ActivityTraceId TraceId { get; }

    public IReadOnlyList<Activity> Spans { get; }

    public bool Contains(ActivitySpanId spanId) => _byId.ContainsKey(spanId);

    public Activity? Parent(Activity span) => _byId.GetValueOrDefault(span.ParentSpanId);

    /// <summary>The consumer spans (a topic handler running) with the app whose server span they run under.</summary>
    public IEnumerable<(string App, Activity Consumer)> Deliveries(IReadOnlyDictionary<int, string> appsByPort) =>
        Spans.Where(s => s.Source.Name == MessagingTelemetry.Name && s.Kind == ActivityKind.Consumer)
            .Select(s => (AppOf(s, appsByPort), s));

    public string AppOf(Activity span, IReadOnlyDictionary<int, string> appsByPort)
    {
        for (Activity? current = span; current is not null; current = Parent(current))
        {
            if (current.Kind == ActivityKind.Server && current.GetTagItem("server.port") is int port)
            {
                return appsByPort.GetValueOrDefault(port, $"port {port}");
            }
        }

        return "unknown";
    }

    public string Describe() => string.Join(Environment.NewLine, Spans.Select(Describe));

    public static string Describe(Activity s) =>
        $"{s.SpanId} parent={s.ParentSpanId} {s.Source.Name} {s.Kind} '{s.DisplayName}' " +
        string.Join(" ", s.TagObjects.Where(t => t.Key is "url.path" or "url.full" or "server.port" or "cloudevents.event_type" or "messaging.destination.name")
            .Select(t => $"{t.Key}={t.Value}")) +
        (s.Links.Any() ? " links=" + string.Join(",", s.Links.Select(l => l.Context.SpanId.ToString())) : string.Empty);

    public static string? Tag(Activity span, string key) => span.GetTagItem(key)?.ToString();
}

internal static class OrderSystemPorts
{
    /// <summary>App id by app port, from the API clients' base addresses.</summary>
    public static IReadOnlyDictionary<int, string> AppsByPort(this OrderSystem system) => new Dictionary<int, string>
    {
        [system.Ordering.BaseAddress!.Port] = "ordering",
        [system.Inventory.BaseAddress!.Port] = "inventory",
        [system.Payment.BaseAddress!.Port] = "payment",
        [system.Notification.BaseAddress!.Port] = "notification",
        [system.Audit.BaseAddress!.Port] = "audit",
    };
}
