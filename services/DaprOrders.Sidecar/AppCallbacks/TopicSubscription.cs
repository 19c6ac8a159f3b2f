namespace DaprOrders.Sidecar.AppCallbacks;

/// <summary>
/// Endpoint metadata declaring that daprd should deliver <see cref="Topic"/> of <see cref="PubsubName"/> to this
/// endpoint. Several endpoints for one pubsub+topic become one subscription: endpoints with <see cref="Match"/> are
/// <c>routes.rules</c> (ascending <see cref="Priority"/>), the one without is <c>routes.default</c>.
/// </summary>
public sealed record TopicSubscription
{
    public TopicSubscription(string pubsubName, string topic)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pubsubName);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        PubsubName = pubsubName;
        Topic = topic;
    }

    public string PubsubName { get; }

    public string Topic { get; }

    /// <summary>Topic on the same pubsub that receives dropped or undeliverable messages.</summary>
    public string? DeadLetterTopic { get; init; }

    /// <summary>CEL expression over <c>event</c> (e.g. <c>event.type == "order.created"</c>); null = default route.</summary>
    public string? Match { get; init; }

    /// <summary>Rule order: lower values are evaluated first.</summary>
    public int Priority { get; init; }

    /// <summary>Subscription metadata passed to the component (e.g. <c>rawPayload</c>).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Enables bulk delivery (<see cref="BulkCloudEvents{T}"/>) when set.</summary>
    public BulkSubscribeOptions? BulkSubscribe { get; init; }
}

/// <summary><c>bulkSubscribe</c> of a subscription; null values leave daprd's defaults (100 messages, 1000 ms).</summary>
public sealed record BulkSubscribeOptions(bool Enabled = true, int? MaxMessagesCount = null, int? MaxAwaitDurationMs = null);
