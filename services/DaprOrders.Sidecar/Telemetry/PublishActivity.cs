using System.Diagnostics;

namespace DaprOrders.Sidecar.Telemetry;

/// <summary>
/// The producer span around a publish (<c>send {topic}</c>). daprd continues the HttpClient span below it: the
/// publisher sidecar's span becomes the CloudEvent's <c>traceparent</c>, and every delivery of the event is a child of it.
/// </summary>
internal static class PublishActivity
{
    public static Activity? Start(string pubsubName, string topic, PublishOptions? options)
    {
        var activity = SidecarTelemetry.Source.StartActivity($"send {topic}", ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "dapr");
            activity.SetTag("messaging.operation.type", "send");
            activity.SetTag("messaging.operation.name", "send");
            activity.SetTag("messaging.destination.name", topic);
            activity.SetTag("dapr.pubsub.name", pubsubName);
            activity.SetTag("cloudevents.event_type", options?.CloudEventType);
            // daprd assigns a fresh id unless the publisher chose one.
            activity.SetTag("messaging.message.id", options?.CloudEventId);
        }

        return activity;
    }

    /// <summary>Marks the span failed; always false, so that it can run inside an exception filter without catching.</summary>
    public static bool Failed(Activity? activity, Exception exception)
    {
        activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity?.SetTag("error.type", exception.GetType().FullName);
        return false;
    }
}
