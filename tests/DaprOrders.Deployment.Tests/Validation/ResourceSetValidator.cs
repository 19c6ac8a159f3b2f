using Newtonsoft.Json.Linq;

namespace DaprOrders.Deployment.Validation;

/// <summary>
/// The fixed facts a resource set is checked against: which apps exist and which actor types each hosts.
/// <paramref name="Namespace"/> is the Kubernetes namespace the apps run in (empty self-hosted): daprd prefixes
/// the internal outbox topic with it (dapr/dapr release-1.17 pkg/runtime/pubsub/outbox.go).
/// </summary>
public sealed record SystemTopology(IReadOnlyList<string> AppIds, IReadOnlyDictionary<string, string> ActorTypeHosts, string Namespace = "");

/// <summary>
/// Cross-checks across the resources one daprd loads: unique names, scopes naming real apps, one actor state
/// store per actor host, secret stores that exist for every component that references them, outbox wiring
/// including the topic ACLs daprd applies to the internal outbox topic (dapr/dapr release-1.17 pkg/runtime/pubsub/outbox.go; dapr/dapr release-1.17 pkg/scopes/scopes.go), and resiliency
/// targets that name existing components, apps and actor types.
/// </summary>
public static class ResourceSetValidator
{
    public static IReadOnlyList<Finding> Validate(ResourceSet set, SystemTopology topology)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(topology);
        var findings = new List<Finding>();
        void Error(YamlResource r, JToken? at, string message) =>
            findings.Add(r.Finding(FindingSeverity.Error, FindingCodes.CrossReference, at, $"[{set.Name}] {message}"));

        foreach (var group in set.Resources.Where(r => r.IsResource).GroupBy(r => (r.Kind, r.Name)).Where(g => g.Count() > 1))
        {
            var first = group.First();
            findings.Add(group.Last().Finding(FindingSeverity.Error, FindingCodes.DuplicateName, group.Last().Json["metadata"],
                $"[{set.Name}] {group.Key.Kind} '{group.Key.Name}' is also defined in {first.File}; daprd would load only one of them"));
        }

        foreach (var resource in set.Resources.Where(r => r.IsResource))
        {
            foreach (var scope in ResourceSet.ScopesOf(resource).Where(s => !topology.AppIds.Contains(s)))
            {
                Error(resource, resource.Json["scopes"], $"scope '{scope}' is not an app id ({string.Join(", ", topology.AppIds)})");
            }
        }

        foreach (var app in topology.AppIds)
        {
            var actorStores = set.Components
                .Where(c => ResourceSet.Category(c) == "state" && ResourceSet.IsVisibleTo(c, app)
                            && GoValueSyntax.ParseBool(ResourceSet.InlineMetadata(c).GetValueOrDefault("actorStateStore", "")) == true)
                .ToList();
            var hostsActors = topology.ActorTypeHosts.Values.Contains(app);
            if (actorStores.Count > 1 || (hostsActors && actorStores.Count == 0))
            {
                var anchor = actorStores.FirstOrDefault() ?? set.Resources.First();
                Error(anchor, null, $"app '{app}' sees {actorStores.Count} actor state stores ({string.Join(", ", actorStores.Select(s => s.Name))}); "
                                    + (hostsActors ? "it hosts actors and needs exactly one" : "daprd allows at most one"));
            }
        }

        foreach (var component in set.Components)
        {
            CheckSecretStore(set, component, topology.Namespace, Error);
            CheckOutbox(set, component, topology.Namespace, Error);
        }

        foreach (var resiliency in set.OfKind("Resiliency"))
        {
            var targets = resiliency.Json.SelectToken("spec.targets");
            foreach (var property in (targets?["components"] as JObject)?.Properties() ?? [])
            {
                if (set.Component(property.Name) is null)
                {
                    Error(resiliency, property, $"resiliency target component '{property.Name}' is not defined in this resource set");
                }
            }

            foreach (var property in (targets?["apps"] as JObject)?.Properties() ?? [])
            {
                if (!topology.AppIds.Contains(property.Name))
                {
                    Error(resiliency, property, $"resiliency target app '{property.Name}' is not an app id");
                }
            }

            foreach (var property in (targets?["actors"] as JObject)?.Properties() ?? [])
            {
                if (!topology.ActorTypeHosts.ContainsKey(property.Name))
                {
                    Error(resiliency, property, $"resiliency target actor type '{property.Name}' is not hosted by any app");
                }
            }
        }

        foreach (var subscription in set.OfKind("Subscription"))
        {
            var pubsubName = (string?)subscription.Json.SelectToken("spec.pubsubname");
            var pubsub = pubsubName is null ? null : set.Component(pubsubName);
            if (pubsub is null)
            {
                Error(subscription, subscription.Json.SelectToken("spec.pubsubname"), $"subscription uses pub/sub '{pubsubName}', which is not defined");
                continue;
            }

            var acl = TopicAccessControl.FromMetadata(ResourceSet.InlineMetadata(pubsub));
            var topic = (string?)subscription.Json.SelectToken("spec.topic") ?? "";
            var deadLetter = (string?)subscription.Json.SelectToken("spec.deadLetterTopic");
            foreach (var app in topology.AppIds.Where(a => ResourceSet.IsVisibleTo(subscription, a) && ResourceSet.IsVisibleTo(pubsub, a)))
            {
                if (!acl.IsAllowedToSubscribe(app, topic))
                {
                    Error(subscription, subscription.Json.SelectToken("spec.topic"), $"app '{app}' may not subscribe to '{topic}' on '{pubsubName}'");
                }

                if (deadLetter is not null && !acl.IsAllowedToPublish(app, deadLetter))
                {
                    Error(subscription, subscription.Json.SelectToken("spec.deadLetterTopic"), $"app '{app}' may not publish its dead letters to '{deadLetter}'");
                }
            }
        }

        return findings;
    }

    private static void CheckSecretStore(ResourceSet set, YamlResource component, string @namespace, Action<YamlResource, JToken?, string> error)
    {
        var usesSecrets = (component.Json.SelectToken("spec.metadata") as JArray ?? []).Any(m => m["secretKeyRef"] is not null);
        var storeName = (string?)component.Json.SelectToken("auth.secretStore");
        // On Kubernetes "kubernetes" is no component: the Dapr operator resolves those references itself
        // (dapr/dapr pkg/operator/api/api.go, processComponentSecrets).
        if (!usesSecrets || storeName is null || (@namespace.Length > 0 && storeName == "kubernetes"))
        {
            return;
        }

        if (set.Component(storeName) is not { } store || ResourceSet.Category(store) != "secretstores")
        {
            error(component, component.Json.SelectToken("auth.secretStore"), $"component '{component.Name}' reads secrets from '{storeName}', which is not a secret store in this resource set");
            return;
        }

        foreach (var scope in ResourceSet.ScopesOf(component).Where(app => !ResourceSet.IsVisibleTo(store, app)))
        {
            error(component, component.Json.SelectToken("auth.secretStore"), $"app '{scope}' loads '{component.Name}' but not its secret store '{storeName}'");
        }
    }

    private static void CheckOutbox(ResourceSet set, YamlResource component, string @namespace, Action<YamlResource, JToken?, string> error)
    {
        if (ResourceSet.Category(component) != "state")
        {
            return;
        }

        var metadata = ResourceSet.InlineMetadata(component);
        if (!metadata.TryGetValue("outboxPublishPubsub", out var publishPubsub) || !metadata.TryGetValue("outboxPublishTopic", out var topic))
        {
            return;
        }

        var internalPubsub = metadata.GetValueOrDefault("outboxPubsub", publishPubsub);
        var apps = ResourceSet.ScopesOf(component);
        foreach (var (pubsubName, role) in new[] { (publishPubsub, "outboxPublishPubsub"), (internalPubsub, "outboxPubsub") }.Distinct())
        {
            if (set.Component(pubsubName) is not { } pubsub || ResourceSet.Category(pubsub) != "pubsub")
            {
                error(component, null, $"{role} of '{component.Name}' names '{pubsubName}', which is not a pub/sub component in this resource set");
                continue;
            }

            var acl = TopicAccessControl.FromMetadata(ResourceSet.InlineMetadata(pubsub));
            foreach (var app in apps)
            {
                if (!ResourceSet.IsVisibleTo(pubsub, app))
                {
                    error(component, null, $"app '{app}' loads outbox store '{component.Name}' but not pub/sub '{pubsubName}'");
                    continue;
                }

                if (role == "outboxPublishPubsub" && !acl.IsAllowedToPublish(app, topic))
                {
                    error(component, null, $"outbox of '{component.Name}': app '{app}' may not publish '{topic}' on '{pubsubName}'");
                }

                if (role == "outboxPubsub")
                {
                    // Internal topic {NAMESPACE}{appId}{outboxPublishTopic}outbox; NAMESPACE is empty self-hosted (dapr/dapr release-1.17 pkg/runtime/pubsub/outbox.go).
                    var internalTopic = OutboxInternalTopic(app, topic, @namespace);
                    if (!acl.IsAllowedToPublish(app, internalTopic) || !acl.IsAllowedToSubscribe(app, internalTopic))
                    {
                        error(component, null, $"outbox of '{component.Name}': app '{app}' must be allowed to publish and subscribe '{internalTopic}' on '{pubsubName}' (daprd's internal outbox topic)");
                    }
                }
            }
        }
    }

    /// <summary>The internal topic daprd uses for a state store outbox (dapr/dapr release-1.17 pkg/runtime/pubsub/outbox.go).</summary>
    public static string OutboxInternalTopic(string appId, string outboxPublishTopic, string @namespace = "") =>
        $"{@namespace}{appId}{outboxPublishTopic}outbox";
}
