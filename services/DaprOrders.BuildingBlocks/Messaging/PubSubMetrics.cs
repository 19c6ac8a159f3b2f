using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.BuildingBlocks.Messaging;

/// <summary>
/// The delivery instruments, one set per <see cref="IMeterFactory"/> (per host: tests run several in one process),
/// resolved lazily from the request's services so every topic endpoint is measured without a registration step.
/// </summary>
internal sealed class PubSubMetrics
{
    private const int RememberedDeliveries = 8192;
    private static readonly ConditionalWeakTable<IMeterFactory, PubSubMetrics> PerFactory = new();

    private readonly Histogram<double> _handlerDuration;
    private readonly Counter<long> _redeliveries;
    private readonly ConcurrentDictionary<(string Route, string Id), byte> _seen = new();
    private readonly ConcurrentQueue<(string Route, string Id)> _seenOrder = new();

    private PubSubMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MessagingTelemetry.Name);
        _handlerDuration = meter.CreateHistogram(MessagingTelemetry.HandlerDuration, "s",
            "Duration of topic handler executions by pubsub, topic, CloudEvent type and outcome (success|retry|drop|error).",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _redeliveries = meter.CreateCounter<long>(MessagingTelemetry.Redeliveries, "{delivery}",
            "Deliveries of a CloudEvent id this process had already received on the same route.");
    }

    public static PubSubMetrics? For(IServiceProvider services) =>
        services.GetService<IMeterFactory>() is { } factory ? PerFactory.GetValue(factory, f => new PubSubMetrics(f)) : null;

    public void RecordHandled(TopicDelivery delivery, string outcome, TimeSpan elapsed) =>
        _handlerDuration.Record(elapsed.TotalSeconds, new TagList
        {
            { "pubsub", delivery.PubsubName },
            { "topic", delivery.Topic },
            { "event_type", delivery.EventType ?? "unknown" },
            { "outcome", outcome },
        });

    /// <summary>Counts a delivery of an id already seen on <paramref name="route"/>; remembers a bounded window of ids.</summary>
    public void ObserveDelivery(TopicDelivery delivery, string route, string cloudEventId)
    {
        if (!_seen.TryAdd((route, cloudEventId), 0))
        {
            _redeliveries.Add(1, new TagList { { "pubsub", delivery.PubsubName }, { "topic", delivery.Topic }, { "event_type", delivery.EventType ?? "unknown" } });
            return;
        }

        _seenOrder.Enqueue((route, cloudEventId));
        while (_seenOrder.Count > RememberedDeliveries && _seenOrder.TryDequeue(out var oldest))
        {
            _seen.TryRemove(oldest, out _);
        }
    }
}
