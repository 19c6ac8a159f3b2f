using System.Text.Json;
using System.Text.Json.Nodes;
using DaprOrders.Emulator.Resources;

namespace DaprOrders.Emulator.PubSub;

/// <summary>A publish daprd refuses, with the status and errorCode it answers.</summary>
public sealed class PublishRejectedException(int statusCode, string errorCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public string ErrorCode { get; } = errorCode;
}

/// <summary>A publish as the API receives it.</summary>
public sealed record PublishRequest(
    string AppId,
    string PubsubName,
    string Topic,
    string? ContentType,
    ReadOnlyMemory<byte> Body,
    IReadOnlyDictionary<string, string> Metadata,
    string? IncomingTraceParent = null,
    string? IncomingTraceState = null);

/// <summary>
/// daprd's publisher: topic ACL checks, envelope construction, hand-off to the broker. Used by the publish APIs, the
/// dead-letter path and the outbox, so that scopes apply everywhere as they do in daprd.
/// </summary>
public sealed class PubSubPublisher(PubSubComponents components, PubSubBroker broker, EmulatorResources resources, TimeProvider timeProvider)
{
    public PubSubComponent ResolveForPublish(string appId, string pubsubName, string topic)
    {
        if (!components.AnyFor(appId))
        {
            throw new PublishRejectedException(400, "ERR_PUBSUB_NOT_CONFIGURED", "no pubsub is configured");
        }

        if (pubsubName.Length == 0)
        {
            throw new PublishRejectedException(404, "ERR_PUBSUB_EMPTY", "pubsub name is empty");
        }

        var component = components.Find(appId, pubsubName)
            ?? throw new PublishRejectedException(404, "ERR_PUBSUB_NOT_FOUND", $"pubsub {pubsubName} is not found");
        if (topic.Length == 0)
        {
            throw new PublishRejectedException(404, "ERR_TOPIC_NAME_EMPTY", $"topic is empty in pubsub {pubsubName}");
        }

        if (!component.IsPublishAllowed(appId, topic))
        {
            throw new PublishRejectedException(403, "ERR_PUBSUB_FORBIDDEN", $"topic {topic} is not allowed for app id {appId}");
        }

        return component;
    }

    /// <summary>Builds the broker bytes for one publish (envelope, passthrough or raw) without publishing.</summary>
    public BrokerMessage Prepare(PublishRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var component = ResolveForPublish(request.AppId, request.PubsubName, request.Topic);
        bool raw;
        try
        {
            raw = CloudEventEnvelope.IsRawPayload(request.Metadata);
        }
        catch (FormatException ex)
        {
            throw new PublishRejectedException(400, "ERR_PUBSUB_REQUEST_METADATA", $"failed deserializing metadata: {ex.Message}");
        }

        var metadata = new Dictionary<string, string>(request.Metadata, StringComparer.Ordinal);
        if (raw)
        {
            return new BrokerMessage(component.Name, request.Topic, request.Body.ToArray(), metadata, request.ContentType);
        }

        var traceParent = resources.Configuration.TracingEnabled ? TraceContext.ChildOf(request.IncomingTraceParent).TraceParent : string.Empty;
        var traceState = resources.Configuration.TracingEnabled ? request.IncomingTraceState ?? string.Empty : string.Empty;
        var source = new EnvelopeSource(request.AppId, component.Name, request.Topic, request.ContentType, request.Body, metadata,
            traceParent, traceState, timeProvider.GetUtcNow());
        JsonObject envelope;
        try
        {
            var mediaType = request.ContentType?.Split(';')[0].Trim();
            if (string.Equals(mediaType, CloudEventEnvelope.CloudEventContentType, StringComparison.OrdinalIgnoreCase))
            {
                JsonNode? parsed;
                try
                {
                    parsed = JsonNode.Parse(request.Body.Span);
                }
                catch (JsonException)
                {
                    parsed = null;
                }

                envelope = parsed is JsonObject cloudEvent
                    ? CloudEventEnvelope.Passthrough(cloudEvent, source)
                    : throw new PublishRejectedException(500, "ERR_PUBSUB_CLOUD_EVENTS_SER",
                        $"error when unmarshalling the cloud event: the body of topic {request.Topic} is not a JSON object");
            }
            else
            {
                envelope = CloudEventEnvelope.Wrap(source);
            }
        }
        catch (FormatException ex)
        {
            throw new PublishRejectedException(500, "ERR_PUBSUB_CLOUD_EVENTS_SER", $"error when creating the cloud event: {ex.Message}");
        }

        return new BrokerMessage(component.Name, request.Topic, GoJson.Serialize(envelope), metadata, CloudEventEnvelope.CloudEventContentType);
    }

    /// <summary>Publishes like POST /v1.0/publish; throws <see cref="PublishRejectedException"/> as daprd answers errors.</summary>
    public BrokerMessage Publish(PublishRequest request)
    {
        var message = Prepare(request);
        broker.Publish(message);
        return message;
    }

    /// <summary>
    /// Bulk publish behind both API doors: every entry gets its envelope first, so a bad entry fails alone, then the
    /// good ones go to the broker. Returns the entries that failed, with daprd's per-entry error text.
    /// </summary>
    public IReadOnlyList<(string EntryId, string Error)> PublishBulk(IReadOnlyList<(string EntryId, PublishRequest Request)> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var failed = new List<(string, string)>();
        var prepared = new List<BrokerMessage>();
        foreach (var (entryId, request) in entries)
        {
            try
            {
                prepared.Add(Prepare(request));
            }
            catch (PublishRejectedException ex)
            {
                failed.Add((entryId, ex.Message));
            }
        }

        foreach (var message in prepared)
        {
            broker.Publish(message);
        }

        return failed;
    }

    /// <summary>Publishes bytes unchanged (dead-letter copies, outbox), subject to the publisher's topic scopes.</summary>
    public void PublishBytes(string appId, string pubsubName, string topic, byte[] data, IReadOnlyDictionary<string, string> metadata)
    {
        var component = ResolveForPublish(appId, pubsubName, topic);
        broker.Publish(new BrokerMessage(component.Name, topic, data, metadata, CloudEventEnvelope.CloudEventContentType));
    }
}
