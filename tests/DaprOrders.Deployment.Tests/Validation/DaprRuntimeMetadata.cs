namespace DaprOrders.Deployment.Validation;

/// <summary>
/// THE whitelist of component metadata that daprd reads itself, not the component, so it is absent from
/// components-contrib metadata.yaml files. (The schema set's index.json lists most of these with
/// origin "runtime-builtin"; this list is authoritative here and fills any gap.)
/// Sources (dapr/dapr release-1.17 unless named):
/// <list type="bullet">
/// <item>pubsub: allowedTopics, protectedTopics, publishingScopes, subscriptionScopes — pkg/scopes/scopes.go,
/// pkg/runtime/pubsub/adapter.go; consumerID — daprd fills it with the app id (component redelivery; contrib
/// SOURCE.md "runtime built-ins").</item>
/// <item>state: keyPrefix — pkg/components/state/state_config.go; actorStateStore — docs reference/api/actors_api; outboxPublishPubsub,
/// outboxPublishTopic, outboxPubsub, outboxDiscardWhenMissingState — pkg/runtime/pubsub/outbox.go.</item>
/// <item>bindings: direction, route — read by daprd's binding processor (Dapr docs "bindings overview").</item>
/// </list>
/// </summary>
public static class DaprRuntimeMetadata
{
    public const string Origin = "dapr-runtime";

    private static readonly MetadataField[] s_pubsub =
    [
        Field("consumerID"),
        Field("allowedTopics"),
        Field("protectedTopics"),
        Field("publishingScopes"),
        Field("subscriptionScopes"),
    ];

    private static readonly MetadataField[] s_state =
    [
        Field("keyPrefix"),
        Field("actorStateStore", "bool"),
        Field("outboxPublishPubsub"),
        Field("outboxPublishTopic"),
        Field("outboxPubsub"),
        Field("outboxDiscardWhenMissingState", "bool"),
    ];

    private static readonly MetadataField[] s_bindings =
    [
        Field("direction", allowed: ["input", "output", "input, output", "output, input"]),
        Field("route"),
    ];

    public static IReadOnlyList<MetadataField> For(string category) => category switch
    {
        "pubsub" => s_pubsub,
        "state" => s_state,
        "bindings" => s_bindings,
        _ => [],
    };

    private static MetadataField Field(string name, string type = "string", string[]? allowed = null) =>
        new(name, type, Required: false, Sensitive: false, Default: null, allowed ?? [], Origin, Deprecated: false, ReplacedBy: null);
}
