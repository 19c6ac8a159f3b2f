using System.Buffers;
using System.Text.Json;
using DaprOrders.Audit.Timeline;

namespace DaprOrders.Audit.DeadLetters;

/// <summary>Outcome of an operator action on a dead letter.</summary>
public enum DeadLetterActionResult
{
    Applied,
    NotFound,

    /// <summary>Discarded dead letters cannot be replayed.</summary>
    AlreadyDiscarded,

    /// <summary>The CloudEvent has no <c>topic</c> attribute, so there is nowhere to replay it to.</summary>
    TopicUnknown,
}

/// <summary>
/// The dead-letter state machine, free of I/O: arrival (any state ⇒ Pending, attempts + 1), replay (Pending or
/// Replayed ⇒ Replayed, replays + 1; Discarded is final for replays) and discard (any ⇒ Discarded).
/// </summary>
public static class DeadLetterLifecycle
{
    /// <summary>
    /// A dead letter arrived. A known id comes back to Pending whatever its state: a replay failed again, or another
    /// subscriber of the same event gave up too; either way an operator has something new to look at.
    /// </summary>
    public static DeadLetterRecord Arrive(DeadLetterRecord? existing, ObservedEvent observed, JsonElement payload, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(observed);
        if (existing is null)
        {
            return new DeadLetterRecord(observed.Id, observed.Topic, observed.PubsubName, observed.Type, observed.Source, observed.OrderId,
                Error: ErrorOf(payload), Attempts: 1, Replays: 0, FirstSeen: now, LastSeen: now, LastReplayedAt: null, DiscardedAt: null,
                DeadLetterStatus.Pending, payload);
        }

        return existing with
        {
            Attempts = existing.Attempts + 1,
            LastSeen = now,
            Status = DeadLetterStatus.Pending,
            DiscardedAt = null,
            Error = ErrorOf(payload) ?? existing.Error,
            Payload = payload,
        };
    }

    public static (DeadLetterActionResult Result, DeadLetterRecord? Updated) Replay(DeadLetterRecord? record, DateTimeOffset now) =>
        record switch
        {
            null => (DeadLetterActionResult.NotFound, null),
            { Status: DeadLetterStatus.Discarded } => (DeadLetterActionResult.AlreadyDiscarded, null),
            { Topic: null or "" } => (DeadLetterActionResult.TopicUnknown, null),
            _ => (DeadLetterActionResult.Applied,
                record with { Status = DeadLetterStatus.Replayed, Replays = record.Replays + 1, LastReplayedAt = now }),
        };

    /// <summary>Undoes <see cref="Replay"/> when the republish failed, unless the record moved on meanwhile.</summary>
    public static DeadLetterRecord? UndoReplay(DeadLetterRecord current, DeadLetterRecord beforeReplay, DeadLetterRecord replayed)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(beforeReplay);
        ArgumentNullException.ThrowIfNull(replayed);
        return current.Status == DeadLetterStatus.Replayed && current.Replays == replayed.Replays && current.Attempts == replayed.Attempts
            ? current with { Status = beforeReplay.Status, Replays = beforeReplay.Replays, LastReplayedAt = beforeReplay.LastReplayedAt }
            : null;
    }

    /// <summary>Discarding is idempotent: an already discarded record is returned unchanged (no write).</summary>
    public static (DeadLetterActionResult Result, DeadLetterRecord? Updated) Discard(DeadLetterRecord? record, DateTimeOffset now) =>
        record switch
        {
            null => (DeadLetterActionResult.NotFound, null),
            { Status: DeadLetterStatus.Discarded } => (DeadLetterActionResult.Applied, null),
            _ => (DeadLetterActionResult.Applied, record with { Status = DeadLetterStatus.Discarded, DiscardedAt = now }),
        };

    /// <summary>Attributes daprd sets on every publish and would overwrite on a passthrough republish anyway.</summary>
    private static readonly HashSet<string> DaprRoutingAttributes = new(StringComparer.Ordinal)
    {
        "topic", "pubsubname",
        // Without traceid daprd stamps the replay call's own trace context, linking the replay to the operator's request.
        "traceid", "traceparent", "tracestate",
        // A TTL that ran out would make the subscriber's sidecar drop the replay at once.
        "expiration",
    };

    /// <summary>
    /// The structured CloudEvent to republish: the original object (id, source, type, specversion, time, data,
    /// extensions) minus the attributes daprd adds per publish (components-contrib release-1.17 pubsub/envelope.go).
    /// </summary>
    public static byte[] ReplayPayload(JsonElement originalCloudEvent)
    {
        if (originalCloudEvent.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("A dead letter payload must be a CloudEvent JSON object.", nameof(originalCloudEvent));
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in originalCloudEvent.EnumerateObject())
            {
                if (!DaprRoutingAttributes.Contains(property.Name))
                {
                    property.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    // Not a CloudEvents or Dapr attribute; honoured when a publisher chooses to say why (e.g. a custom DLT producer).
    private static string? ErrorOf(JsonElement payload) =>
        payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String
            ? error.GetString()
            : null;
}
