using System.Text.Json;
using System.Text.Json.Serialization;
using DaprOrders.Sidecar.AppCallbacks;

namespace DaprOrders.Sidecar;

/// <summary>Source-generated metadata for every wire type the library reads or writes itself.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(DaprErrorBody))]
[JsonSerializable(typeof(BulkPublishErrorBody))]
[JsonSerializable(typeof(IReadOnlyList<BulkPublishEntry>))]
[JsonSerializable(typeof(BulkGetStateRequest))]
[JsonSerializable(typeof(IReadOnlyList<BulkStateItem>))]
[JsonSerializable(typeof(StateTransactionRequest))]
[JsonSerializable(typeof(IReadOnlyList<StateOperationWire>))]
[JsonSerializable(typeof(ReminderRegistrationWire))]
[JsonSerializable(typeof(TimerRegistrationWire))]
[JsonSerializable(typeof(DaprMetadata))]
[JsonSerializable(typeof(IReadOnlyList<SubscriptionWire>))]
[JsonSerializable(typeof(TopicStatusWire))]
[JsonSerializable(typeof(BulkTopicResponseWire))]
[JsonSerializable(typeof(BulkSubscribeMessageWire))]
[JsonSerializable(typeof(ActorConfigWire))]
[JsonSerializable(typeof(ReminderCallbackWire))]
[JsonSerializable(typeof(TimerCallbackWire))]
internal sealed partial class SidecarJsonContext : JsonSerializerContext;

internal sealed record DaprErrorBody(string? ErrorCode, string? Message);

internal sealed record BulkPublishErrorBody(IReadOnlyList<BulkPublishFailedEntry>? FailedEntries, string? ErrorCode);

internal sealed record BulkGetStateRequest(IReadOnlyList<string> Keys, int? Parallelism, IReadOnlyDictionary<string, string>? Metadata);

internal sealed record StateTransactionRequest(IReadOnlyList<StateOperationWire> Operations, IReadOnlyDictionary<string, string>? Metadata);

internal sealed record StateOperationWire(string Operation, StateOperationRequestWire Request);

internal sealed record StateOperationRequestWire(
    string Key,
    JsonElement? Value,
    string? Etag,
    IReadOnlyDictionary<string, string>? Metadata,
    StateOptionsWire? Options,
    string? ContentType);

internal sealed record StateOptionsWire(string? Concurrency, string? Consistency);

internal sealed record ReminderRegistrationWire(string? DueTime, string? Period, string? Ttl, JsonElement? Data);

internal sealed record TimerRegistrationWire(string? DueTime, string? Period, string? Ttl, string Callback, JsonElement? Data);

internal sealed record SubscriptionWire(
    [property: JsonPropertyName("pubsubname")] string PubsubName,
    string Topic,
    SubscriptionRoutesWire Routes,
    string? DeadLetterTopic,
    IReadOnlyDictionary<string, string>? Metadata,
    BulkSubscribeWire? BulkSubscribe);

internal sealed record SubscriptionRoutesWire(IReadOnlyList<SubscriptionRuleWire>? Rules, string? Default);

internal sealed record SubscriptionRuleWire(string Match, string Path);

internal sealed record BulkSubscribeWire(bool Enabled, int? MaxMessagesCount, int? MaxAwaitDurationMs);

internal sealed record TopicStatusWire(string Status);

internal sealed record BulkTopicResponseWire(IReadOnlyList<BulkTopicStatusWire> Statuses);

internal sealed record BulkTopicStatusWire(string EntryId, string Status);

internal sealed record BulkSubscribeMessageWire(
    string? Id,
    string? Type,
    string? Topic,
    [property: JsonPropertyName("pubsubname")] string? PubsubName,
    IReadOnlyDictionary<string, string>? Metadata,
    IReadOnlyList<BulkSubscribeEntryWire>? Entries);

internal sealed record BulkSubscribeEntryWire(string EntryId, JsonElement Event, IReadOnlyDictionary<string, string>? Metadata, string? ContentType);

internal sealed record ActorConfigWire(
    IReadOnlyList<string> Entities,
    string ActorIdleTimeout,
    string DrainOngoingCallTimeout,
    bool? DrainRebalancedActors,
    ActorReentrancyWire Reentrancy);

internal sealed record ActorReentrancyWire(bool Enabled, int? MaxStackDepth);

internal sealed record ReminderCallbackWire(JsonElement? Data, string? DueTime, string? Period);

internal sealed record TimerCallbackWire(string? Callback, JsonElement? Data, string? DueTime, string? Period);
