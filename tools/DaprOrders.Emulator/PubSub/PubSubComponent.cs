using DaprOrders.Emulator.Resources;

namespace DaprOrders.Emulator.PubSub;

/// <summary>A pubsub.in-memory component and its topic ACLs (dapr/dapr release-1.17 pkg/scopes/scopes.go).</summary>
public sealed class PubSubComponent
{
    private readonly Dictionary<string, HashSet<string>> _publishingScopes;
    private readonly Dictionary<string, HashSet<string>> _subscriptionScopes;
    private readonly HashSet<string>? _allowedTopics;
    private readonly HashSet<string> _protectedTopics;

    internal PubSubComponent(ComponentDefinition definition)
    {
        Definition = definition;
        _publishingScopes = ParseScopes(definition.GetMetadata("publishingScopes"));
        _subscriptionScopes = ParseScopes(definition.GetMetadata("subscriptionScopes"));
        _allowedTopics = definition.GetMetadata("allowedTopics") is { Length: > 0 } allowed ? ParseList(allowed) : null;
        _protectedTopics = ParseList(definition.GetMetadata("protectedTopics") ?? string.Empty);
    }

    public string Name => Definition.Name;

    public ComponentDefinition Definition { get; }

    public bool IsPublishAllowed(string appId, string topic) => IsAllowed(_publishingScopes, appId, topic);

    public bool IsSubscribeAllowed(string appId, string topic) => IsAllowed(_subscriptionScopes, appId, topic);

    // daprd: allowedTopics must list the topic; then an unprotected topic is open to apps without a scope entry;
    // otherwise the topic must be in the app's scope list.
    private bool IsAllowed(Dictionary<string, HashSet<string>> scopes, string appId, string topic)
    {
        if (_allowedTopics is not null && !_allowedTopics.Contains(topic))
        {
            return false;
        }

        var hasScope = scopes.TryGetValue(appId, out var topics);
        if (!_protectedTopics.Contains(topic) && !hasScope)
        {
            return true;
        }

        return hasScope && topics!.Contains(topic);
    }

    private static Dictionary<string, HashSet<string>> ParseScopes(string? text)
    {
        var scopes = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var entry in (text ?? string.Empty).Replace(" ", string.Empty, StringComparison.Ordinal).Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split('=', 2);
            var topics = parts.Length == 2 ? ParseList(parts[1]) : [];
            if (scopes.TryGetValue(parts[0], out var existing))
            {
                existing.UnionWith(topics);
            }
            else
            {
                scopes[parts[0]] = topics;
            }
        }

        return scopes;
    }

    private static HashSet<string> ParseList(string text) =>
        new(text.Replace(" ", string.Empty, StringComparison.Ordinal).Split(',', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
}

/// <summary>The pubsub components and which app sees which (component scopes).</summary>
public sealed class PubSubComponents(EmulatorResources resources)
{
    private readonly List<PubSubComponent> _components = resources.Components
        .Where(c => c.Type.StartsWith("pubsub.", StringComparison.Ordinal))
        .Select(c => new PubSubComponent(c))
        .ToList();

    public IReadOnlyList<PubSubComponent> All => _components;

    public PubSubComponent? Find(string appId, string name) =>
        _components.FirstOrDefault(c => c.Name == name && c.Definition.IsVisibleTo(appId));

    public bool AnyFor(string appId) => _components.Any(c => c.Definition.IsVisibleTo(appId));
}
