using System.Diagnostics;
using Dapr.Client;

namespace DaprOrders.BuildingBlocks.Messaging;

/// <summary>
/// Publishes the services' events through <see cref="DaprClient"/> inside a producer span (<c>send {topic}</c>), with
/// the CloudEvent type and id chosen by the publisher. daprd takes them from the publish metadata
/// <c>cloudevent.type</c> and <c>cloudevent.id</c> (Dapr docs: developing-applications/building-blocks/pubsub/pubsub-cloudevents,
/// "Override CloudEvent values"); a stable id lets subscribers drop a repeated announcement as a duplicate. The
/// publish's gRPC call carries the producer span's <c>traceparent</c>, which daprd continues into the CloudEvent.
/// </summary>
public sealed class EventPublisher(DaprClient dapr)
{
    /// <summary>Publishes <paramref name="data"/> as the data of a CloudEvent of type <paramref name="eventType"/> with id <paramref name="eventId"/>.</summary>
    public async Task PublishAsync<T>(string pubsubName, string topic, T data, string eventType, string eventId,
        CancellationToken cancellationToken = default)
    {
        using var activity = Start(pubsubName, topic, eventType, eventId);
        try
        {
            await dapr.PublishEventAsync(pubsubName, topic, data,
                new Dictionary<string, string>(StringComparer.Ordinal) { ["cloudevent.type"] = eventType, ["cloudevent.id"] = eventId },
                cancellationToken);
        }
        catch (Exception ex) when (Failed(activity, ex))
        {
            throw;
        }
    }

    /// <summary>
    /// Publishes a complete structured CloudEvent as it is (<c>application/cloudevents+json</c>): daprd keeps its id,
    /// source, type and data instead of wrapping it (Dapr docs: developing-applications/building-blocks/pubsub/pubsub-cloudevents).
    /// </summary>
    public async Task PublishCloudEventAsync(string pubsubName, string topic, ReadOnlyMemory<byte> cloudEvent, string? eventType,
        string? eventId, CancellationToken cancellationToken = default)
    {
        using var activity = Start(pubsubName, topic, eventType, eventId);
        try
        {
            await dapr.PublishByteEventAsync(pubsubName, topic, cloudEvent, "application/cloudevents+json", cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (Failed(activity, ex))
        {
            throw;
        }
    }

    private static Activity? Start(string pubsubName, string topic, string? eventType, string? eventId)
    {
        var activity = MessagingTelemetry.StartActivity("send", ActivityKind.Producer, topic, pubsubName);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("cloudevents.event_type", eventType);
            activity.SetTag("messaging.message.id", eventId);
        }

        return activity;
    }

    /// <summary>Marks the span failed; always false, so that it can run inside an exception filter without catching.</summary>
    private static bool Failed(Activity? activity, Exception exception)
    {
        activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity?.SetTag("error.type", exception.GetType().FullName);
        return false;
    }
}
