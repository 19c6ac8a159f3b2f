using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DaprOrders.Emulator.Resources;

namespace DaprOrders.Emulator.PubSub;

/// <summary>What the publishing sidecar knows when it builds an envelope.</summary>
public sealed record EnvelopeSource(
    string AppId,
    string PubsubName,
    string Topic,
    string? ContentType,
    ReadOnlyMemory<byte> Body,
    IReadOnlyDictionary<string, string> Metadata,
    string TraceParent,
    string TraceState,
    DateTimeOffset Now);

/// <summary>
/// daprd's CloudEvent wrapping on publish (components-contrib NewCloudEventsEnvelope / FromCloudEvent): the exact
/// attributes daprd writes, its data encoding rules and its TTL handling (components-contrib release-1.17 pubsub/envelope.go).
/// </summary>
public static class CloudEventEnvelope
{
    public const string CloudEventContentType = "application/cloudevents+json";
    public const string DefaultType = "com.dapr.event.sent";

    /// <summary>Wraps a non-CloudEvent body (section 1.2).</summary>
    public static JsonObject Wrap(EnvelopeSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var contentType = string.IsNullOrEmpty(source.ContentType) ? "text/plain" : source.ContentType;
        var envelope = new JsonObject
        {
            ["id"] = Override(source, "id") ?? Guid.NewGuid().ToString(),
            ["source"] = Override(source, "source") ?? (source.AppId.Length > 0 ? source.AppId : "Dapr"),
            ["type"] = Override(source, "type") ?? DefaultType,
            ["specversion"] = "1.0",
            ["datacontenttype"] = contentType,
            ["topic"] = source.Topic,
            ["pubsubname"] = source.PubsubName,
            ["time"] = FormatTime(source.Now),
        };

        // A traceparent override wins over traceid and sets both.
        var traceParent = Override(source, "traceparent") ?? Override(source, "traceid") ?? source.TraceParent;
        envelope["traceid"] = traceParent;
        envelope["traceparent"] = traceParent;
        envelope["tracestate"] = Override(source, "tracestate") ?? source.TraceState;
        if (Override(source, "subject") is { } subject)
        {
            envelope["subject"] = subject;
        }

        var mediaType = contentType.Split(';')[0].Trim();
        if (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            envelope["data"] = ParseJsonOrString(source.Body);
        }
        else if (mediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase)
                 || mediaType.Equals("application/cloudevents+protobuf", StringComparison.OrdinalIgnoreCase))
        {
            envelope["data_base64"] = Convert.ToBase64String(source.Body.Span);
        }
        else
        {
            envelope["data"] = Encoding.UTF8.GetString(source.Body.Span);
        }

        ApplyTtl(envelope, source.Metadata, source.Now);
        return envelope;
    }

    /// <summary>Completes an app-built CloudEvent (section 1.3): overwrite topic/pubsubname, add only missing attributes, never id.</summary>
    public static JsonObject Passthrough(JsonObject cloudEvent, EnvelopeSource source)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        ArgumentNullException.ThrowIfNull(source);
        cloudEvent["topic"] = source.Topic;
        cloudEvent["pubsubname"] = source.PubsubName;
        if (!cloudEvent.ContainsKey("time"))
        {
            cloudEvent["time"] = FormatTime(source.Now);
        }

        if (!cloudEvent.ContainsKey("traceid"))
        {
            // daprd overwrites an app-supplied traceparent here.
            cloudEvent["traceid"] = source.TraceParent;
            cloudEvent["traceparent"] = source.TraceParent;
        }

        if (!cloudEvent.ContainsKey("tracestate"))
        {
            cloudEvent["tracestate"] = source.TraceState;
        }

        SetIfMissing(cloudEvent, "source", "Dapr");
        SetIfMissing(cloudEvent, "type", DefaultType);
        SetIfMissing(cloudEvent, "specversion", "1.0");
        ApplyTtl(cloudEvent, source.Metadata, source.Now);
        return cloudEvent;
    }

    /// <summary>The event a rawPayload subscription receives (section 2.6): a new CE around the raw broker bytes.</summary>
    public static JsonObject FromRawPayload(ReadOnlySpan<byte> data, string topic, string pubsubName, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var cloudEvent = new JsonObject
        {
            ["id"] = Guid.NewGuid().ToString(),
            ["specversion"] = "1.0",
            ["datacontenttype"] = "application/octet-stream",
            ["source"] = "Dapr",
            ["type"] = DefaultType,
            ["topic"] = topic,
            ["pubsubname"] = pubsubName,
            ["data_base64"] = Convert.ToBase64String(data),
        };
        foreach (var trace in new[] { "traceid", "traceparent", "tracestate" })
        {
            if (metadata.TryGetValue(trace, out var value))
            {
                cloudEvent[trace] = value;
            }
        }

        return cloudEvent;
    }

    /// <summary>True when the CE's expiration attribute lies in the past (subscriber-side daprd drops it).</summary>
    public static bool HasExpired(JsonObject cloudEvent, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        return cloudEvent["expiration"] is JsonValue value
               && value.GetValueKind() == JsonValueKind.String
               && DateTimeOffset.TryParse(value.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiration)
               && expiration < now;
    }

    /// <summary>rawPayload metadata, exact-case key, Go strconv.ParseBool values; throws FormatException when invalid.</summary>
    public static bool IsRawPayload(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!metadata.TryGetValue("rawPayload", out var value))
        {
            return false;
        }

        return value switch
        {
            "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
            "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
            _ => throw new FormatException($"rawPayload value '{value}' is not a boolean"),
        };
    }

    /// <summary>RFC3339 with second precision, as Go's time.RFC3339 (UTC, like daprd in a container).</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static void ApplyTtl(JsonObject envelope, IReadOnlyDictionary<string, string> metadata, DateTimeOffset now)
    {
        var ttlText = metadata.FirstOrDefault(m => m.Key.Equals("ttlInSeconds", StringComparison.OrdinalIgnoreCase) || m.Key.Equals("ttl", StringComparison.OrdinalIgnoreCase)).Value;
        if (ttlText is null)
        {
            return;
        }

        TimeSpan ttl;
        if (long.TryParse(ttlText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
        {
            ttl = seconds > 0 ? TimeSpan.FromSeconds(seconds) : throw new FormatException($"ttlInSeconds '{ttlText}' must be positive");
        }
        else if (!GoDuration.TryParse(ttlText, out ttl) || ttl <= TimeSpan.Zero)
        {
            throw new FormatException($"ttlInSeconds '{ttlText}' is not a positive number of seconds or a duration");
        }

        // pubsub.in-memory has no native TTL, so daprd adds the expiration attribute.
        envelope["expiration"] = FormatTime(now + ttl);
    }

    private static string? Override(EnvelopeSource source, string attribute)
    {
        var key = "cloudevent." + attribute;
        foreach (var (name, value) in source.Metadata)
        {
            if (name.Equals(key, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    private static void SetIfMissing(JsonObject cloudEvent, string attribute, string value)
    {
        if (cloudEvent[attribute] is null)
        {
            cloudEvent[attribute] = value;
        }
    }

    private static JsonNode? ParseJsonOrString(ReadOnlyMemory<byte> body)
    {
        try
        {
            return JsonNode.Parse(body.Span);
        }
        catch (JsonException)
        {
            // daprd silently falls back to a JSON string.
            return Encoding.UTF8.GetString(body.Span);
        }
    }
}
