using DaprOrders.Emulator.Resources;

namespace DaprOrders.Emulator.State;

/// <summary>A state.* component as the emulator runs it: its definition, its in-memory store and its daprd settings.</summary>
public sealed class StateStoreComponent
{
    internal StateStoreComponent(ComponentDefinition definition, TimeProvider timeProvider)
    {
        Definition = definition;
        Store = new InMemoryStateStore(definition.Name, timeProvider);
        KeyPrefix = definition.GetMetadata("keyPrefix") ?? "appid";
        IsActorStateStore = bool.TryParse(definition.GetMetadata("actorStateStore"), out var actor) && actor;
        var publishPubsub = definition.GetMetadata("outboxPublishPubsub");
        var publishTopic = definition.GetMetadata("outboxPublishTopic");
        // daprd enables the outbox only when both required keys are set.
        if (!string.IsNullOrEmpty(publishPubsub) && !string.IsNullOrEmpty(publishTopic))
        {
            Outbox = new OutboxSettings(
                publishPubsub,
                publishTopic,
                definition.GetMetadata("outboxPubsub") is { Length: > 0 } internalPubsub ? internalPubsub : publishPubsub,
                bool.TryParse(definition.GetMetadata("outboxDiscardWhenMissingState"), out var discard) && discard);
        }
    }

    public string Name => Definition.Name;

    public ComponentDefinition Definition { get; }

    public InMemoryStateStore Store { get; }

    /// <summary>keyPrefix metadata: appid (default), name, namespace, none, or a custom prefix.</summary>
    public string KeyPrefix { get; }

    public bool IsActorStateStore { get; }

    public OutboxSettings? Outbox { get; }

    /// <summary>The physical key daprd uses for <paramref name="key"/> when <paramref name="appId"/> calls (dapr/dapr release-1.17 pkg/components/state/state_config.go).</summary>
    public string PhysicalKey(string appId, string key)
    {
        var prefix = KeyPrefix.ToLowerInvariant() switch
        {
            "appid" => appId,
            "name" => Name,
            // The emulator has no namespace; daprd falls back to the app-id then.
            "namespace" => Environment.GetEnvironmentVariable("NAMESPACE") is { Length: > 0 } ns ? $"{ns}.{appId}" : appId,
            "none" => null,
            _ => KeyPrefix,
        };
        return prefix is null ? key : $"{prefix}||{key}";
    }

    /// <summary>Responses strip everything up to the first "||".</summary>
    public static string LogicalKey(string physicalKey)
    {
        var separator = physicalKey.IndexOf("||", StringComparison.Ordinal);
        return separator < 0 ? physicalKey : physicalKey[(separator + 2)..];
    }
}

/// <summary>Transactional outbox metadata of a state store (dapr/dapr v1.17.13 pkg/runtime/pubsub/outbox.go).</summary>
public sealed record OutboxSettings(string PublishPubsub, string PublishTopic, string InternalPubsub, bool DiscardWhenMissingState = false);

/// <summary>Every state store component, one in-memory instance each, and which app sees which.</summary>
public sealed class StateStoreRegistry
{
    private readonly List<StateStoreComponent> _stores;

    public StateStoreRegistry(EmulatorResources resources, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(resources);
        _stores = resources.Components
            .Where(c => c.Type.StartsWith("state.", StringComparison.Ordinal))
            .Select(c => new StateStoreComponent(c, timeProvider))
            .ToList();
    }

    public IReadOnlyList<StateStoreComponent> All => _stores;

    /// <summary>The stores an app can use: component scopes hide the others (daprd does not load them).</summary>
    public IEnumerable<StateStoreComponent> StoresFor(string appId) => _stores.Where(s => s.Definition.IsVisibleTo(appId));

    public StateStoreComponent? Find(string appId, string storeName) =>
        StoresFor(appId).FirstOrDefault(s => string.Equals(s.Name, storeName, StringComparison.Ordinal));

    /// <summary>The store visible to <paramref name="appId"/> whose metadata actorStateStore is "true", or null.</summary>
    public ITransactionalStateStore? GetActorStateStore(string appId) =>
        StoresFor(appId).FirstOrDefault(s => s.IsActorStateStore)?.Store;

    /// <summary>The component of the actor state store, for callers that need its name or settings.</summary>
    public StateStoreComponent? GetActorStateStoreComponent(string appId) =>
        StoresFor(appId).FirstOrDefault(s => s.IsActorStateStore);
}
