using System.Text.Json.Serialization;

namespace DaprOrders.Sidecar;

/// <summary><c>GET /v1.0/metadata</c>. Fields daprd omits when empty are null or empty here.</summary>
public sealed record DaprMetadata
{
    [JsonPropertyName("id")]
    public string? Id { get; init; }

    [JsonPropertyName("runtimeVersion")]
    public string? RuntimeVersion { get; init; }

    [JsonPropertyName("enabledFeatures")]
    public IReadOnlyList<string> EnabledFeatures { get; init; } = [];

    [JsonPropertyName("actors")]
    public IReadOnlyList<DaprActorMetadata> Actors { get; init; } = [];

    [JsonPropertyName("components")]
    public IReadOnlyList<DaprComponentMetadata> Components { get; init; } = [];

    [JsonPropertyName("subscriptions")]
    public IReadOnlyList<DaprSubscriptionMetadata> Subscriptions { get; init; } = [];

    [JsonPropertyName("extended")]
    public IReadOnlyDictionary<string, string> Extended { get; init; } = new Dictionary<string, string>();

    [JsonPropertyName("actorRuntime")]
    public DaprActorRuntimeMetadata? ActorRuntime { get; init; }

    [JsonPropertyName("appConnectionProperties")]
    public DaprAppConnectionMetadata? AppConnectionProperties { get; init; }
}

public sealed record DaprActorMetadata(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("count")] int Count);

public sealed record DaprComponentMetadata(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("version")] string? Version,
    [property: JsonPropertyName("capabilities")] IReadOnlyList<string>? Capabilities);

public sealed record DaprSubscriptionMetadata(
    [property: JsonPropertyName("pubsubname")] string PubsubName,
    [property: JsonPropertyName("topic")] string Topic,
    [property: JsonPropertyName("metadata")] IReadOnlyDictionary<string, string>? Metadata,
    [property: JsonPropertyName("rules")] IReadOnlyList<DaprSubscriptionRuleMetadata>? Rules,
    [property: JsonPropertyName("deadLetterTopic")] string? DeadLetterTopic,
    [property: JsonPropertyName("type")] string? Type);

public sealed record DaprSubscriptionRuleMetadata(
    [property: JsonPropertyName("match")] string? Match,
    [property: JsonPropertyName("path")] string Path);

public sealed record DaprActorRuntimeMetadata(
    [property: JsonPropertyName("runtimeStatus")] string? RuntimeStatus,
    [property: JsonPropertyName("activeActors")] IReadOnlyList<DaprActorMetadata>? ActiveActors,
    [property: JsonPropertyName("hostReady")] bool HostReady,
    [property: JsonPropertyName("placement")] string? Placement);

public sealed record DaprAppConnectionMetadata(
    [property: JsonPropertyName("port")] int? Port,
    [property: JsonPropertyName("protocol")] string? Protocol,
    [property: JsonPropertyName("channelAddress")] string? ChannelAddress);
