using Dapr;

namespace DaprOrders.BuildingBlocks.Messaging;

/// <summary>
/// The subscriptions a service declares with the SDK's <c>WithTopic(TopicOptions)</c>, built one way everywhere: a
/// route per CloudEvent type the service handles (a routing rule matching <c>event.type</c>), all with the same
/// dead-letter topic. daprd evaluates the rules by priority and falls back to the default route, if the app declared
/// one (Dapr docs: developing-applications/building-blocks/pubsub/howto-route-messages). A delivery that matches no
/// rule and has no default route is acknowledged without reaching the app and copied to the dead-letter topic
/// (dapr/dapr v1.17 pkg/runtime/subscription/subscription.go): with one topic per type that is a foreign type on the
/// topic, which belongs in front of an operator, not silently acknowledged.
/// </summary>
public static class TopicSubscriptions
{
    /// <summary>
    /// Deliveries of <paramref name="eventType"/> on <paramref name="topic"/>. With one topic per type a topic has one
    /// rule and the default <paramref name="priority"/> serves; only an app that routes several types of one topic
    /// gives each rule its own, because the SDK's subscribe handler reports equal priorities as an error.
    /// </summary>
    public static TopicOptions OfType(string pubsubName, string topic, string eventType, string? deadLetterTopic, int priority = 1) => new()
    {
        PubsubName = pubsubName,
        Name = topic,
        Match = $"event.type == \"{eventType}\"",
        Priority = priority,
        DeadLetterTopic = deadLetterTopic,
    };

    /// <summary>The default route of <paramref name="topic"/>: every delivery no rule matched (for apps that take every type, as Audit does).</summary>
    public static TopicOptions Default(string pubsubName, string topic, string? deadLetterTopic) => new()
    {
        PubsubName = pubsubName,
        Name = topic,
        DeadLetterTopic = deadLetterTopic,
    };
}
