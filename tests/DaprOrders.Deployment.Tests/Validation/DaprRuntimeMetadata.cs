namespace DaprOrders.Deployment.Validation;

/// <summary>
/// THE whitelist of component metadata that daprd reads itself, not the component, so it is absent from
/// components-contrib metadata.yaml files. (The schema set's index.json lists most of these with
/// origin "runtime-builtin"; this list is authoritative here and fills any gap.)
/// Sources, all in /work/shared/reference/dapr-wire-notes.md:
/// <list type="bullet">
/// <item>pubsub: allowedTopics, protectedTopics, publishingScopes, subscriptionScopes — §10 (pkg/scopes,
/// runtime/pubsub/adapter.go); consumerID — daprd fills it with the app id (§2.5, component redelivery; contrib
/// SOURCE.md "runtime built-ins").</item>
/// <item>state: keyPrefix — §3 (components/state/state_config.go); actorStateStore — §5.1; outboxPublishPubsub,
/// outboxPublishTopic, outboxPubsub, outboxDiscardWhenMissingState — §4 (runtime/pubsub/outbox.go).</item>
/// <item>bindings: direction, route — read by daprd's binding processor (Dapr docs "bindings overview",
/// not covered by the wire notes).</item>
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
