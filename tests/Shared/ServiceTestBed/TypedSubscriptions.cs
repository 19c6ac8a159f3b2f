using System.Text.Json;

namespace DaprOrders.Testing;

/// <summary>
/// Reads a service's <c>GET /dapr/subscribe</c> answer, where every subscription is one topic per CloudEvent type
/// (BuildingBlocks' <c>TopicSubscriptions.OfType</c>): one rule on <c>event.type</c>, no default route, so daprd
/// dead-letters a foreign type on the topic, and <c>deadletters</c> as the dead-letter topic.
/// </summary>
internal static class TypedSubscriptions
{
    /// <summary>Topic → (the rule's CEL match, its route) after checking the shape above on every subscription.</summary>
    public static IReadOnlyDictionary<string, (string Match, string Path)> Read(JsonElement subscribe)
    {
        var byTopic = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var subscription in subscribe.EnumerateArray())
        {
            // The SDK's subscribe handler writes "pubsubName" (daprd decodes field names case-insensitively, as Go's
            // encoding/json does) and routes without the leading slash, which daprd adds.
            Assert.Equal("pubsub", subscription.GetProperty("pubsubName").GetString());
            Assert.Equal("deadletters", subscription.GetProperty("deadLetterTopic").GetString());
            var routes = subscription.GetProperty("routes");
            Assert.False(routes.TryGetProperty("default", out _), "a one-type topic has no default route");
            var rule = Assert.Single(routes.GetProperty("rules").EnumerateArray());
            byTopic.Add(subscription.GetProperty("topic").GetString()!, (rule.GetProperty("match").GetString()!, rule.GetProperty("path").GetString()!));
        }

        return byTopic;
    }

    /// <summary>The CEL rule TopicSubscriptions.OfType writes for <paramref name="eventType"/>.</summary>
    public static string Match(string eventType) => $"event.type == \"{eventType}\"";
}
