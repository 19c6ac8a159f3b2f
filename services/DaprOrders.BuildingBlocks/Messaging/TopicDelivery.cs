using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace DaprOrders.BuildingBlocks.Messaging;

/// <summary>
/// One delivery into a topic endpoint while it runs (an HTTP feature): the consumer span, what the CloudEvent said
/// about itself, and the status the handler answered.
/// </summary>
internal sealed class TopicDelivery
{
    private readonly long _started = Stopwatch.GetTimestamp();

    private TopicDelivery(string pubsubName, string topic, Activity? activity)
    {
        PubsubName = pubsubName;
        Topic = topic;
        Activity = activity;
    }

    public string PubsubName { get; }

    public string Topic { get; }

    public Activity? Activity { get; }

    public string? EventType { get; private set; }

    public TopicStatus? AnsweredStatus { get; set; }

    public bool Described { get; private set; }

    /// <summary>The endpoint's handler was reached: the delivery was read and bound.</summary>
    public bool HandlerStarted { get; set; }

    /// <summary>Starts the consumer span (<c>process {topic}</c>) as a child of the server span and attaches the delivery to the request.</summary>
    public static TopicDelivery Start(HttpContext context, string pubsubName, string topic)
    {
        var activity = MessagingTelemetry.StartActivity("process", ActivityKind.Consumer, topic, pubsubName);
        var delivery = new TopicDelivery(pubsubName, topic, activity);
        context.Features.Set(delivery);
        return delivery;
    }

    /// <summary>
    /// Tags the span with the CloudEvent's id and type, counts a redelivery of a known id, and links the trace context
    /// the event carries (<c>traceparent</c>, or <c>traceid</c>, which is all daprd's outbox events have). That context
    /// is the publisher sidecar's span, the parent of the subscriber sidecar's delivery span the server span continues.
    /// </summary>
    public void Describe(HttpContext context, string? id, string? type, string? source, string? traceContext)
    {
        Described = true;
        EventType = type;
        if (!string.IsNullOrEmpty(id))
        {
            PubSubMetrics.For(context.RequestServices)?.ObserveDelivery(this, context.Request.Path, id);
        }

        if (Activity is not { IsAllDataRequested: true } activity)
        {
            return;
        }

        activity.SetTag("messaging.message.id", id);
        activity.SetTag("cloudevents.event_id", id);
        activity.SetTag("cloudevents.event_type", type);
        activity.SetTag("cloudevents.event_source", source);
        if (ActivityContext.TryParse(traceContext, null, isRemote: true, out var producer))
        {
            activity.AddLink(new ActivityLink(producer));
        }
    }

    /// <summary>
    /// For a bulk delivery: tags the span with the batch size and links it to each entry's trace context (the entry's
    /// CloudEvent id and type on the link), as one span serves many events' traces; counts redeliveries per id.
    /// </summary>
    public void DescribeBatch(HttpContext context, IReadOnlyList<DeliveredEvent> events)
    {
        Described = true;
        var metrics = PubSubMetrics.For(context.RequestServices);
        foreach (var e in events)
        {
            if (!string.IsNullOrEmpty(e.Id))
            {
                metrics?.ObserveDelivery(this, context.Request.Path, e.Id);
            }
        }

        if (Activity is not { IsAllDataRequested: true } activity)
        {
            return;
        }

        activity.SetTag("messaging.batch.message_count", events.Count);
        foreach (var e in events)
        {
            if (ActivityContext.TryParse(e.TraceContext, null, isRemote: true, out var producer))
            {
                activity.AddLink(new ActivityLink(producer, new ActivityTagsCollection
                {
                    ["messaging.message.id"] = e.Id,
                    ["cloudevents.event_id"] = e.Id,
                    ["cloudevents.event_type"] = e.Type,
                }));
            }
        }
    }

    /// <summary>Ends the span and records the handler's duration and outcome.</summary>
    public void Complete(HttpContext context, string outcome, Exception? exception)
    {
        if (Activity is { } activity)
        {
            activity.SetTag("daprorders.outcome", outcome);
            if (outcome is MessagingTelemetry.Outcomes.Error or MessagingTelemetry.Outcomes.Retry)
            {
                activity.SetStatus(ActivityStatusCode.Error, exception?.Message ?? outcome);
                activity.SetTag("error.type", exception?.GetType().FullName ?? outcome);
            }

            activity.Dispose();
        }

        PubSubMetrics.For(context.RequestServices)?.RecordHandled(this, outcome, Stopwatch.GetElapsedTime(_started));
    }
}

/// <summary>What one entry of a bulk delivery says about itself, for <see cref="TopicDelivery.DescribeBatch"/>.</summary>
public sealed record DeliveredEvent(string? Id, string? Type, string? TraceContext);
