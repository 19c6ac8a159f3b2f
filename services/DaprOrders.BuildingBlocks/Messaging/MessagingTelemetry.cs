using System.Diagnostics;

namespace DaprOrders.BuildingBlocks.Messaging;

/// <summary>
/// What the services emit about pub/sub beyond what ASP.NET Core, HttpClient and gRPC trace on their own. Spans follow
/// the OpenTelemetry messaging conventions: a producer span (<c>send {topic}</c>) around every publish, a consumer span
/// (<c>process {topic}</c>) around every topic handler, as a child of the ASP.NET Core server span that continued
/// daprd's <c>traceparent</c> header, linked to the trace context the CloudEvent carries.
/// </summary>
public static class MessagingTelemetry
{
    /// <summary>ActivitySource and Meter name.</summary>
    public const string Name = "DaprOrders.Messaging";

    /// <summary>Histogram (s) of topic handler executions; tags <c>pubsub</c>, <c>topic</c>, <c>event_type</c>, <c>outcome</c>.</summary>
    public const string HandlerDuration = "daprorders.pubsub.handler.duration";

    /// <summary>Counter of deliveries whose CloudEvent id this process had already seen on the same route (daprd retries, broker redeliveries, duplicates).</summary>
    public const string Redeliveries = "daprorders.pubsub.redeliveries";

    /// <summary>Handler outcomes, as <see cref="HandlerDuration"/>'s <c>outcome</c> tag.</summary>
    public static class Outcomes
    {
        /// <summary>Answered SUCCESS (or any 2xx without a status).</summary>
        public const string Success = "success";

        /// <summary>Answered RETRY: daprd redelivers per the resiliency policy.</summary>
        public const string Retry = "retry";

        /// <summary>Answered DROP, 404, or the delivery was unreadable: daprd dead-letters it.</summary>
        public const string Drop = "drop";

        /// <summary>The handler threw or answered another non-2xx: daprd retries it like RETRY.</summary>
        public const string Error = "error";
    }

    internal static readonly ActivitySource Source = new(Name);

    /// <summary>Starts <c>{operation} {topic}</c> (<c>send</c> or <c>process</c>) with the messaging attributes.</summary>
    internal static Activity? StartActivity(string operation, ActivityKind kind, string topic, string pubsubName)
    {
        var activity = Source.StartActivity($"{operation} {topic}", kind);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "dapr");
            activity.SetTag("messaging.operation.type", operation);
            activity.SetTag("messaging.operation.name", operation);
            activity.SetTag("messaging.destination.name", topic);
            activity.SetTag("dapr.pubsub.name", pubsubName);
        }

        return activity;
    }
}
