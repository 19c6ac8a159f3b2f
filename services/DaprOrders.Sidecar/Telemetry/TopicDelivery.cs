using System.Diagnostics;
using DaprOrders.Sidecar.AppCallbacks;
using Microsoft.AspNetCore.Http;

namespace DaprOrders.Sidecar.Telemetry;

/// <summary>
/// One delivery into a <c>WithTopic</c> endpoint while it runs (an HTTP feature): the consumer span, what the
/// CloudEvent said about itself once it was bound, and the status the handler answered.
/// </summary>
internal sealed class TopicDelivery
{
    private readonly long _started = Stopwatch.GetTimestamp();

    private TopicDelivery(TopicSubscription subscription, Activity? activity)
    {
        PubsubName = subscription.PubsubName;
        Topic = subscription.Topic;
        Activity = activity;
    }

    public string PubsubName { get; }

    public string Topic { get; }

    public Activity? Activity { get; }

    public string? EventType { get; private set; }

    public TopicStatus? AnsweredStatus { get; set; }

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    /// <summary>Starts the consumer span (<c>process {topic}</c>) as a child of the server span and attaches the delivery to the request.</summary>
    public static TopicDelivery Start(HttpContext context, TopicSubscription subscription)
    {
        var activity = SidecarTelemetry.Source.StartActivity($"process {subscription.Topic}", ActivityKind.Consumer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "dapr");
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.operation.name", "process");
            activity.SetTag("messaging.destination.name", subscription.Topic);
            activity.SetTag("dapr.pubsub.name", subscription.PubsubName);
        }

        var delivery = new TopicDelivery(subscription, activity);
        context.Features.Set(delivery);
        return delivery;
    }

    /// <summary>
    /// Called once the CloudEvent is bound: tags the span with its id and type, and links the trace context the event
    /// carries (<c>traceparent</c>, or <c>traceid</c>, which is all daprd's outbox events have). That context is the
    /// publisher sidecar's span, the parent of the subscriber sidecar's delivery span the server span continues.
    /// </summary>
    public static void Describe(HttpContext context, string id, string? type, string? source, string? traceParent, string? traceId)
    {
        if (context.Features.Get<TopicDelivery>() is not { } delivery)
        {
            return;
        }

        delivery.EventType = type;
        if (!string.IsNullOrEmpty(id))
        {
            PubSubMetrics.For(context.RequestServices)?.ObserveDelivery(delivery, context.Request.Path, id);
        }

        if (delivery.Activity is not { IsAllDataRequested: true } activity)
        {
            return;
        }

        activity.SetTag("messaging.message.id", id);
        activity.SetTag("cloudevents.event_id", id);
        activity.SetTag("cloudevents.event_type", type);
        activity.SetTag("cloudevents.event_source", source);
        var carried = string.IsNullOrEmpty(traceParent) ? traceId : traceParent;
        if (ActivityContext.TryParse(carried, null, isRemote: true, out var producer))
        {
            activity.AddLink(new ActivityLink(producer));
        }
    }

    /// <summary>Ends the span and records the handler's duration and outcome.</summary>
    public void Complete(HttpContext context, Exception? exception)
    {
        var outcome = exception switch
        {
            MalformedCloudEventException => SidecarTelemetry.Outcomes.Drop,
            not null => SidecarTelemetry.Outcomes.Error,
            _ => AnsweredStatus switch
            {
                TopicStatus.Success => SidecarTelemetry.Outcomes.Success,
                TopicStatus.Retry => SidecarTelemetry.Outcomes.Retry,
                TopicStatus.Drop => SidecarTelemetry.Outcomes.Drop,
                // No explicit status: daprd's reading of the HTTP status (dapr/dapr release-1.17 pkg/runtime/subscription/postman/http/http.go).
                _ => context.Response.StatusCode switch
                {
                    StatusCodes.Status404NotFound => SidecarTelemetry.Outcomes.Drop,
                    >= 200 and <= 299 => SidecarTelemetry.Outcomes.Success,
                    _ => SidecarTelemetry.Outcomes.Error,
                },
            },
        };

        if (Activity is { } activity)
        {
            activity.SetTag("daprorders.outcome", outcome);
            if (outcome is SidecarTelemetry.Outcomes.Error or SidecarTelemetry.Outcomes.Retry)
            {
                activity.SetStatus(ActivityStatusCode.Error, exception?.Message ?? outcome);
                activity.SetTag("error.type", exception?.GetType().FullName ?? outcome);
            }

            activity.Dispose();
        }

        PubSubMetrics.For(context.RequestServices)?.RecordHandled(this, outcome, Elapsed);
    }
}
