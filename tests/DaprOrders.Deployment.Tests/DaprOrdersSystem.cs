using DaprOrders.Deployment.Validation;

namespace DaprOrders.Deployment.Tests;

/// <summary>The fixed design of DaprOrders the deployment files must implement (docs/components.md).</summary>
internal static class DaprOrdersSystem
{
    /// <summary>An app of the system; Project is the file `dapr run` and the Dockerfile build from (a .csproj, or package.json for JavaScript).</summary>
    public sealed record App(string Id, int AppPort, int DaprHttpPort, string Directory, string Project)
    {
        public bool IsDotNet => Project.EndsWith(".csproj", StringComparison.Ordinal);
    }

    public static readonly IReadOnlyList<App> Apps =
    [
        new("ordering", 5100, 3500, "services/Ordering", "DaprOrders.Ordering.csproj"),
        new("inventory", 5101, 3501, "services/Inventory", "DaprOrders.Inventory.csproj"),
        new("payment", 5102, 3502, "services/Payment", "DaprOrders.Payment.csproj"),
        new("notification", 5103, 3503, "services/Notification", "DaprOrders.Notification.csproj"),
        new("audit", 5104, 3504, "services/Audit", "DaprOrders.Audit.csproj"),
        // The polyglot consumer (JavaScript, @dapr/dapr): built from the contracts alone.
        new("loyalty", 5105, 3505, "services/loyalty", "package.json"),
    ];

    public static IReadOnlyList<string> AppIds { get; } = [.. Apps.Select(a => a.Id)];

    public static readonly SystemTopology Topology = new(
        AppIds,
        new Dictionary<string, string> { ["OrderProcess"] = "ordering", ["Stock"] = "inventory" });

    public const string DeadLetterTopic = "deadletters";

    /// <summary>Ordering's orderstore outbox publishes through this internal topic (dapr/dapr release-1.17 pkg/runtime/pubsub/outbox.go, self-hosted: no namespace).</summary>
    public static readonly string OutboxTopic = ResourceSetValidator.OutboxInternalTopic("ordering", "order-created");

    /// <summary>Business topics, one per CloudEvent type: the one publisher and the subscribers of each.</summary>
    public static readonly IReadOnlyDictionary<string, (string Publisher, string[] Subscribers)> Topics =
        new Dictionary<string, (string, string[])>
        {
            ["order-created"] = ("ordering", ["inventory", "audit"]),
            ["payment-requested"] = ("ordering", ["payment", "audit"]),
            ["order-completed"] = ("ordering", ["notification", "audit", "loyalty"]),
            ["order-cancelled"] = ("ordering", ["inventory", "payment", "notification", "audit"]),
            ["stock-reserved"] = ("inventory", ["ordering", "audit"]),
            ["stock-rejected"] = ("inventory", ["ordering", "audit"]),
            ["stock-released"] = ("inventory", ["audit"]),
            ["payment-succeeded"] = ("payment", ["ordering", "audit"]),
            ["payment-failed"] = ("payment", ["ordering", "audit"]),
            ["payment-refunded"] = ("payment", ["audit"]),
            ["notification-sent"] = ("notification", ["audit"]),
        };

    /// <summary>Audit replays a dead letter by republishing the original event to its original topic.</summary>
    public const string DeadLetterReplayer = "audit";

    /// <summary>
    /// Who may publish a topic: its publisher and the dead-letter replayer; for `deadletters` every subscribing app
    /// (daprd republishes for it); the outbox topic: ordering.
    /// </summary>
    public static IReadOnlySet<string> IntendedPublishers(string topic) => topic switch
    {
        DeadLetterTopic => Topics.Values.SelectMany(t => t.Subscribers).Append(DeadLetterReplayer).ToHashSet(),
        _ when topic == OutboxTopic => new HashSet<string> { "ordering" },
        _ => Topics.TryGetValue(topic, out var t) ? new HashSet<string> { t.Publisher, DeadLetterReplayer } : [],
    };

    public static IReadOnlySet<string> IntendedSubscribers(string topic) => topic switch
    {
        DeadLetterTopic => new HashSet<string> { "audit" },
        _ when topic == OutboxTopic => new HashSet<string> { "ordering" },
        _ => Topics.TryGetValue(topic, out var t) ? [.. t.Subscribers] : [],
    };

    public static IReadOnlyList<string> AllTopics { get; } = [.. Topics.Keys, DeadLetterTopic, OutboxTopic];

    /// <summary>Every supported combination of --resources-path folders (docs/components.md).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> ResourceSets = new Dictionary<string, string[]>
    {
        ["in-memory"] = ["components/shared", "components/in-memory"],
        ["rabbitmq+redis"] = ["components/shared", "components/rabbitmq", "components/redis", "components/local-dev-secrets"],
        ["rabbitmq+postgresql"] = ["components/shared", "components/rabbitmq", "components/postgresql", "components/local-dev-secrets"],
        ["kafka+redis"] = ["components/shared", "components/kafka", "components/redis", "components/local-dev-secrets"],
        ["kafka+postgresql"] = ["components/shared", "components/kafka", "components/postgresql", "components/local-dev-secrets"],
        ["jetstream+redis"] = ["components/shared", "components/jetstream", "components/redis", "components/local-dev-secrets"],
        ["jetstream+postgresql"] = ["components/shared", "components/jetstream", "components/postgresql", "components/local-dev-secrets"],
    };

    public static readonly IReadOnlyList<string> PubSubVariants =
        ["components/in-memory/pubsub.yaml", "components/rabbitmq/pubsub.yaml", "components/kafka/pubsub.yaml", "components/jetstream/pubsub.yaml"];
}
