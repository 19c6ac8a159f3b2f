namespace DaprOrders.Deployment.Validation;

/// <summary>
/// Topic ACLs of one pub/sub component, evaluated as daprd does (dapr/dapr release-1.17 pkg/scopes/scopes.go and
/// runtime/pubsub/adapter.go): names are case-insensitive, spaces are stripped;
/// if allowedTopics is set the topic must be listed; then a topic that is not protected is allowed to an
/// app without a scope entry; otherwise the topic must be in that app's scope list.
/// </summary>
public sealed class TopicAccessControl
{
    private readonly IReadOnlyDictionary<string, IReadOnlySet<string>> _publishing;
    private readonly IReadOnlyDictionary<string, IReadOnlySet<string>> _subscription;

    private TopicAccessControl(
        IReadOnlySet<string> allowedTopics,
        IReadOnlySet<string> protectedTopics,
        IReadOnlyDictionary<string, IReadOnlySet<string>> publishing,
        IReadOnlyDictionary<string, IReadOnlySet<string>> subscription)
    {
        AllowedTopics = allowedTopics;
        ProtectedTopics = protectedTopics;
        _publishing = publishing;
        _subscription = subscription;
    }

    public IReadOnlySet<string> AllowedTopics { get; }

    public IReadOnlySet<string> ProtectedTopics { get; }

    public IEnumerable<string> AppsWithPublishingScopes => _publishing.Keys;

    public IEnumerable<string> AppsWithSubscriptionScopes => _subscription.Keys;

    /// <summary>Builds the ACL from component metadata (name → inline value; name lookup is case-insensitive).</summary>
    public static TopicAccessControl FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        string Get(string name) =>
            metadata.FirstOrDefault(kv => string.Equals(kv.Key, name, StringComparison.OrdinalIgnoreCase)).Value ?? "";

        return new TopicAccessControl(
            ParseTopicList(Get("allowedTopics")),
            ParseTopicList(Get("protectedTopics")),
            ParseScopes(Get("publishingScopes")),
            ParseScopes(Get("subscriptionScopes")));
    }

    public bool IsAllowedToPublish(string appId, string topic) => IsAllowed(appId, topic, _publishing);

    public bool IsAllowedToSubscribe(string appId, string topic) => IsAllowed(appId, topic, _subscription);

    /// <summary>Syntax problems of a scopes value ("app1=topicA,topicB;app2=topicC"), empty when valid.</summary>
    public static IReadOnlyList<string> ScopeSyntaxErrors(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var errors = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in value.Replace(" ", "", StringComparison.Ordinal).Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split('=');
            if (parts.Length != 2 || parts[0].Length == 0)
            {
                errors.Add($"'{entry}' is not of the form app=topic1,topic2");
                continue;
            }

            if (!seen.Add(parts[0]))
            {
                errors.Add($"app '{parts[0]}' appears twice; daprd keeps only one of the entries");
            }
        }

        return errors;
    }

    private bool IsAllowed(string appId, string topic, IReadOnlyDictionary<string, IReadOnlySet<string>> scopes)
    {
        if (AllowedTopics.Count > 0 && !AllowedTopics.Contains(topic))
        {
            return false;
        }

        if (scopes.TryGetValue(appId, out var topics))
        {
            return topics.Contains(topic);
        }

        return !ProtectedTopics.Contains(topic);
    }

    private static HashSet<string> ParseTopicList(string value) =>
        new(value.Replace(" ", "", StringComparison.Ordinal).Split(',', StringSplitOptions.RemoveEmptyEntries), StringComparer.OrdinalIgnoreCase);

    private static Dictionary<string, IReadOnlySet<string>> ParseScopes(string value)
    {
        var result = new Dictionary<string, IReadOnlySet<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in value.Replace(" ", "", StringComparison.Ordinal).Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split('=');
            if (parts.Length == 2 && parts[0].Length > 0)
            {
                result[parts[0]] = ParseTopicList(parts[1]);
            }
        }

        return result;
    }
}
