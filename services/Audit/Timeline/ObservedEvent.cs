using System.Text.Json;

namespace DaprOrders.Audit.Timeline;

/// <summary>The attributes Audit keeps of a delivered CloudEvent, read the same way from single and bulk deliveries.</summary>
public sealed record ObservedEvent(
    string Id,
    string? Type,
    string? Source,
    string? Topic,
    string? PubsubName,
    DateTimeOffset? Time,
    string? TraceParent,
    JsonElement? Data)
{
    /// <summary>The order the event belongs to: <c>data.orderId</c>, which every DaprOrders payload carries.</summary>
    public string? OrderId => FindOrderId(Data);

    /// <summary>Reads a structured CloudEvent JSON object as delivered (single and bulk deliveries and dead letters); null without an id.</summary>
    public static ObservedEvent? From(JsonElement cloudEvent)
    {
        if (cloudEvent.ValueKind != JsonValueKind.Object || String(cloudEvent, "id") is not { Length: > 0 } id)
        {
            return null;
        }

        DateTimeOffset? time = cloudEvent.TryGetProperty("time", out var t) && t.ValueKind == JsonValueKind.String &&
                               t.TryGetDateTimeOffset(out var parsed)
            ? parsed
            : null;
        JsonElement? data = cloudEvent.TryGetProperty("data", out var d) ? d.Clone() : null;
        return new ObservedEvent(id, String(cloudEvent, "type"), String(cloudEvent, "source"), String(cloudEvent, "topic"),
            String(cloudEvent, "pubsubname"), time, PreferNonEmpty(String(cloudEvent, "traceparent"), String(cloudEvent, "traceid")), data);
    }

    /// <summary>The 32-hex trace id of a W3C traceparent (<c>00-{trace-id}-{span-id}-{flags}</c>), for searching a tracing backend.</summary>
    public static string? TraceIdOf(string? traceParent) =>
        traceParent is { Length: >= 55 } && traceParent[2] == '-' && traceParent[35] == '-' ? traceParent[3..35] : null;

    private static string? FindOrderId(JsonElement? data)
    {
        if (data is not { } value)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            // A publisher that sent JSON as text/plain: daprd stored the JSON as a string.
            try
            {
                using var document = JsonDocument.Parse(value.GetString()!);
                return FindOrderId(document.RootElement);
            }
            catch (JsonException)
            {
                return null;
            }
        }

        return value.ValueKind == JsonValueKind.Object && value.TryGetProperty("orderId", out var orderId) &&
               orderId.ValueKind == JsonValueKind.String && orderId.GetString() is { Length: > 0 } text
            ? text
            : null;
    }

    // Outbox events carry traceparent "" and the real context in traceid (dapr/dapr release-1.17 pkg/runtime/pubsub/outbox.go).
    private static string? PreferNonEmpty(string? first, string? second) =>
        !string.IsNullOrEmpty(first) ? first : string.IsNullOrEmpty(second) ? null : second;

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
