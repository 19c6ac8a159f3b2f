using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace DaprOrders.Sidecar;

public enum ConsistencyMode
{
    Eventual,
    Strong,
}

public enum ConcurrencyMode
{
    /// <summary>Writes succeed only when the ETag matches (or, without ETag, when the key does not exist yet).</summary>
    FirstWrite,

    /// <summary>Dapr's default: the last write wins.</summary>
    LastWrite,
}

/// <summary>State request options (<c>options.concurrency</c>, <c>options.consistency</c>).</summary>
public sealed record StateOptions(ConcurrencyMode? Concurrency = null, ConsistencyMode? Consistency = null);

/// <summary>A value read from a state store with the ETag to use for optimistic concurrency.</summary>
public sealed record StateEntry<T>(string Key, T? Value, string? ETag, IReadOnlyDictionary<string, string> Metadata);

/// <summary>One item of <see cref="DaprSidecarClient.SaveBulkStateAsync{T}"/>.</summary>
/// <param name="ETag">The ETag read with the value; with <see cref="ConcurrencyMode.FirstWrite"/> and no ETag the save
/// fails when the key exists.</param>
public sealed record SaveStateItem<T>(string Key, T Value, string? ETag = null, StateOptions? Options = null,
    IReadOnlyDictionary<string, string>? Metadata = null);

/// <summary>One item of a bulk get. A missing key has neither <see cref="Data"/> nor <see cref="ETag"/>.</summary>
public sealed record BulkStateItem(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("data")] JsonElement? Data,
    [property: JsonPropertyName("etag")] string? ETag,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("metadata")] IReadOnlyDictionary<string, string>? Metadata)
{
    [JsonIgnore]
    public bool Found => Data is { ValueKind: not JsonValueKind.Undefined } && Error is null;

    /// <summary>The value deserialized, or default when the key was missing.</summary>
    public T? GetValue<T>(JsonTypeInfo<T> typeInfo) =>
        Found ? Data!.Value.Deserialize(typeInfo) : default;
}

public enum StateOperationType
{
    Upsert,
    Delete,
}

/// <summary>
/// One operation of <see cref="DaprSidecarClient.ExecuteStateTransactionAsync"/>. Per-operation metadata is how the
/// transactional outbox is steered: <c>outbox.projection</c>, <c>contentType</c>, CloudEvent attribute overrides
/// such as <c>type</c> (each op-metadata entry becomes a top-level attribute of the outbox CloudEvent).
/// </summary>
public sealed record StateTransactionOperation
{
    private StateTransactionOperation(StateOperationType operation, string key, JsonElement? value, string? etag,
        IReadOnlyDictionary<string, string>? metadata, StateOptions? options, string? contentType)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        Operation = operation;
        Key = key;
        Value = value;
        ETag = etag;
        Metadata = metadata;
        Options = options;
        ContentType = contentType;
    }

    public StateOperationType Operation { get; }

    public string Key { get; }

    public JsonElement? Value { get; }

    public string? ETag { get; }

    public IReadOnlyDictionary<string, string>? Metadata { get; }

    public StateOptions? Options { get; }

    /// <summary>Request-level <c>contentType</c>; the outbox uses it as the published <c>datacontenttype</c>.</summary>
    public string? ContentType { get; }

    public static StateTransactionOperation Upsert<T>(string key, T value, JsonTypeInfo<T> typeInfo, string? etag = null,
        IReadOnlyDictionary<string, string>? metadata = null, StateOptions? options = null, string? contentType = null) =>
        new(StateOperationType.Upsert, key, JsonSerializer.SerializeToElement(value, typeInfo), etag, metadata, options, contentType);

    public static StateTransactionOperation Upsert(string key, JsonElement value, string? etag = null,
        IReadOnlyDictionary<string, string>? metadata = null, StateOptions? options = null, string? contentType = null) =>
        new(StateOperationType.Upsert, key, value, etag, metadata, options, contentType);

    public static StateTransactionOperation Delete(string key, string? etag = null,
        IReadOnlyDictionary<string, string>? metadata = null, StateOptions? options = null) =>
        new(StateOperationType.Delete, key, value: null, etag, metadata, options, contentType: null);
}
