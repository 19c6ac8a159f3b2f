using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace DaprOrders.Sidecar;

/// <summary>
/// Optional publish settings. They travel as <c>metadata.*</c> query parameters; the <c>CloudEvent*</c> overrides
/// only apply when daprd builds the envelope (not for <see cref="DaprSidecarClient.PublishCloudEventAsync(string, string, ReadOnlyMemory{byte}, IReadOnlyDictionary{string, string}?, CancellationToken)"/>).
/// </summary>
public sealed record PublishOptions
{
    /// <summary><c>metadata.cloudevent.type</c>, e.g. <c>com.acme.order.submitted</c>.</summary>
    public string? CloudEventType { get; init; }

    /// <summary><c>metadata.cloudevent.id</c>; a stable id lets subscribers de-duplicate.</summary>
    public string? CloudEventId { get; init; }

    /// <summary><c>metadata.cloudevent.source</c> (default: the publisher's app id).</summary>
    public string? CloudEventSource { get; init; }

    /// <summary><c>metadata.cloudevent.subject</c>.</summary>
    public string? CloudEventSubject { get; init; }

    /// <summary><c>metadata.ttlInSeconds</c>.</summary>
    public int? TtlInSeconds { get; init; }

    /// <summary><c>metadata.rawPayload=true</c>: the body goes to the broker without a CloudEvent envelope.</summary>
    public bool RawPayload { get; init; }

    /// <summary>Other component metadata, sent as <c>metadata.{key}</c> (e.g. <c>partitionKey</c>).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>One event of a bulk publish. Build it with <see cref="Json{T}"/>, <see cref="Text"/> or <see cref="CloudEvent"/>.</summary>
public sealed record BulkPublishEntry
{
    public BulkPublishEntry(string entryId, JsonElement @event, string contentType, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(entryId);
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        EntryId = entryId;
        Event = @event;
        ContentType = contentType;
        Metadata = metadata;
    }

    [JsonPropertyName("entryId")]
    public string EntryId { get; }

    [JsonPropertyName("event")]
    public JsonElement Event { get; }

    [JsonPropertyName("contentType")]
    public string ContentType { get; }

    /// <summary>
    /// Per-entry metadata. daprd merges request-level query metadata into an entry only when the entry has its own
    /// metadata object, so pass one (even empty) when request-level TTL or CloudEvent overrides must apply.
    /// </summary>
    [JsonPropertyName("metadata")]
    public IReadOnlyDictionary<string, string>? Metadata { get; }

    /// <summary>An <c>application/json</c> entry: daprd wraps it in a CloudEvent with <c>data</c> = the value.</summary>
    public static BulkPublishEntry Json<T>(string entryId, T value, JsonTypeInfo<T> typeInfo, IReadOnlyDictionary<string, string>? metadata = null) =>
        new(entryId, JsonSerializer.SerializeToElement(value, typeInfo), "application/json", metadata);

    /// <summary>A <c>text/plain</c> entry.</summary>
    public static BulkPublishEntry Text(string entryId, string text, IReadOnlyDictionary<string, string>? metadata = null) =>
        new(entryId, JsonSerializer.SerializeToElement(text, SidecarJsonContext.Default.String), "text/plain", metadata);

    /// <summary>An app-built structured CloudEvent (<c>application/cloudevents+json</c>), passed through.</summary>
    public static BulkPublishEntry CloudEvent(string entryId, JsonElement cloudEvent, IReadOnlyDictionary<string, string>? metadata = null) =>
        new(entryId, cloudEvent, "application/cloudevents+json", metadata);
}

/// <summary>Outcome of a bulk publish: empty <see cref="FailedEntries"/> means every entry was published.</summary>
public sealed record BulkPublishResponse(IReadOnlyList<BulkPublishFailedEntry> FailedEntries, string? ErrorCode)
{
    public bool AllSucceeded => FailedEntries.Count == 0;
}

public sealed record BulkPublishFailedEntry(
    [property: JsonPropertyName("entryId")] string EntryId,
    [property: JsonPropertyName("error")] string? Error);
