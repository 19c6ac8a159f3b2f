using DaprOrders.Deployment.Validation;
using Newtonsoft.Json.Linq;
using Xunit.Abstractions;

namespace DaprOrders.Deployment.Tests;

/// <summary>Cross-checks over each supported combination of resources paths; no upstream schemas needed.</summary>
public sealed class ResourceSetTests(ITestOutputHelper output)
{
    private static readonly RepositoryLayout s_repository = RepositoryLayout.Locate();

    public static TheoryData<string> SetNames() => [.. DaprOrdersSystem.ResourceSets.Keys];

    public static TheoryData<string> PubSubVariants() => [.. DaprOrdersSystem.PubSubVariants];

    private static ResourceSet Load(string name)
    {
        var findings = new List<Finding>();
        var set = ResourceSet.Load(name, s_repository.Root, DaprOrdersSystem.ResourceSets[name], findings);
        Assert.Empty(findings);
        return set;
    }

    [Theory]
    [MemberData(nameof(SetNames))]
    public void Resource_set_is_consistent(string name)
    {
        var findings = ResourceSetValidator.Validate(Load(name), DaprOrdersSystem.Topology);

        foreach (var finding in findings)
        {
            output.WriteLine(finding.ToString());
        }

        Assert.Empty(findings);
    }

    [Theory]
    [MemberData(nameof(SetNames))]
    public void Resource_set_defines_pubsub_statestore_and_orderstore_with_their_intended_scopes(string name)
    {
        var set = Load(name);

        Assert.Equal(DaprOrdersSystem.AppIds, ResourceSet.ScopesOf(set.Component("pubsub")!));
        Assert.Equal(DaprOrdersSystem.AppIds, ResourceSet.ScopesOf(set.Component("statestore")!));
        Assert.Equal(["ordering"], ResourceSet.ScopesOf(set.Component("orderstore")!));
        Assert.Equal("true", ResourceSet.InlineMetadata(set.Component("statestore")!)["actorStateStore"]);
        Assert.False(ResourceSet.InlineMetadata(set.Component("orderstore")!).ContainsKey("actorStateStore"));

        var outbox = ResourceSet.InlineMetadata(set.Component("orderstore")!);
        Assert.Equal("pubsub", outbox["outboxPublishPubsub"]);
        Assert.Equal("order-created", outbox["outboxPublishTopic"]);

        // keyPrefix is chosen deliberately and written out on every state store (docs/components.md).
        Assert.All(set.Components.Where(c => ResourceSet.Category(c) == "state"),
            c => Assert.Equal("appid", ResourceSet.InlineMetadata(c)["keyPrefix"]));
        Assert.Single(set.OfKind("Resiliency"));
    }

    [Theory]
    [MemberData(nameof(PubSubVariants))]
    public void Topic_acls_grant_exactly_the_intended_publishers_and_subscribers(string file)
    {
        var pubsub = YamlResourceReader.ReadFile(Path.Combine(s_repository.Root, file), file, []).Single();
        var acl = TopicAccessControl.FromMetadata(ResourceSet.InlineMetadata(pubsub));

        foreach (var topic in DaprOrdersSystem.AllTopics)
        {
            foreach (var app in DaprOrdersSystem.AppIds)
            {
                Assert.True(DaprOrdersSystem.IntendedPublishers(topic).Contains(app) == acl.IsAllowedToPublish(app, topic),
                    $"{file}: publish {app} -> {topic} should be {DaprOrdersSystem.IntendedPublishers(topic).Contains(app)}");
                Assert.True(DaprOrdersSystem.IntendedSubscribers(topic).Contains(app) == acl.IsAllowedToSubscribe(app, topic),
                    $"{file}: subscribe {app} <- {topic} should be {DaprOrdersSystem.IntendedSubscribers(topic).Contains(app)}");
            }
        }

        // A misspelt topic is refused to everyone, and every app has an explicit entry in both lists.
        Assert.All(DaprOrdersSystem.AppIds, app => Assert.False(acl.IsAllowedToPublish(app, "order")));
        Assert.Equal(DaprOrdersSystem.AppIds.Order(), acl.AppsWithPublishingScopes.Order());
        Assert.Equal(DaprOrdersSystem.AppIds.Order(), acl.AppsWithSubscriptionScopes.Order());
    }

    [Fact]
    public void Pubsub_variants_share_identical_topic_acls()
    {
        var acls = DaprOrdersSystem.PubSubVariants
            .Select(f => YamlResourceReader.ReadFile(Path.Combine(s_repository.Root, f), f, []).Single())
            .Select(ResourceSet.InlineMetadata)
            .Select(m => string.Join("|", new[] { "allowedTopics", "protectedTopics", "publishingScopes", "subscriptionScopes" }
                .Select(k => m.GetValueOrDefault(k, ""))))
            .Distinct()
            .ToList();

        Assert.Single(acls);
    }

    [Fact]
    public void Resiliency_expresses_the_seed_retry_policy_and_the_payment_breaker()
    {
        var resiliency = YamlResourceReader.ReadFile(Path.Combine(s_repository.Root, "components/shared/resiliency.yaml"), "resiliency.yaml", []).Single().Json;

        // Seeds: retry after 5 s, then 30 s, then dead-letter. Closest Dapr form: constant 5 s x 2 (see DEVIATION in the file).
        var inboundRetry = (string)resiliency.SelectToken("spec.targets.components.pubsub.inbound.retry")!;
        var retry = resiliency.SelectToken($"spec.policies.retries.{inboundRetry}")!;
        Assert.Equal("constant", (string?)retry["policy"]);
        Assert.Equal("5s", (string?)retry["duration"]);
        Assert.Equal(2, (int)retry["maxRetries"]!);

        var breaker = (string)resiliency.SelectToken("spec.targets.apps.payment.circuitBreaker")!;
        Assert.NotNull(resiliency.SelectToken($"spec.policies.circuitBreakers.{breaker}"));
        Assert.Null(resiliency.SelectToken("spec.targets.components.pubsub.inbound.circuitBreaker"));
        Assert.All(new[] { "OrderProcess", "Stock" }, actor => Assert.NotNull(resiliency.SelectToken($"spec.targets.actors.{actor}")));
    }

    [Fact]
    public void State_stores_have_no_retry_or_breaker_that_optimistic_concurrency_conflicts_would_reach()
    {
        var resiliency = YamlResourceReader.ReadFile(Path.Combine(s_repository.Root, "components/shared/resiliency.yaml"), "resiliency.yaml", []).Single().Json;

        // daprd retries and counts every state error, 409s included (docs/components.md, "State stores: no retry, no breaker").
        Assert.All(new[] { "statestore", "orderstore" }, store =>
        {
            var outbound = resiliency.SelectToken($"spec.targets.components.{store}.outbound")!;
            Assert.NotNull(outbound["timeout"]);
            Assert.Null(outbound["retry"]);
            Assert.Null(outbound["circuitBreaker"]);
        });
    }

    [Fact]
    public void No_plaintext_credentials_outside_the_local_dev_folder()
    {
        var offenders = Directory.EnumerateFiles(Path.Combine(s_repository.Root, "components"), "*", SearchOption.AllDirectories)
            .Select(s_repository.Relative)
            .Where(f => !f.StartsWith("components/local-dev-secrets/", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(Path.Combine(s_repository.Root, f)).Contains("guest:guest", StringComparison.Ordinal)
                        || File.ReadAllText(Path.Combine(s_repository.Root, f)).Contains("-local@", StringComparison.Ordinal))
            .ToList();

        Assert.Empty(offenders);
        Assert.Contains("LOCAL DEVELOPMENT ONLY", File.ReadAllText(Path.Combine(s_repository.Root, "components/local-dev-secrets/local-dev.env")), StringComparison.Ordinal);
    }

    [Fact]
    public void Cross_check_reports_outbox_topic_missing_from_the_acl()
    {
        var set = FixtureSet("outbox-not-granted",
            """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: {name: pubsub}
            spec:
              type: pubsub.in-memory
              version: v1
              metadata:
                - {name: publishingScopes, value: "ordering=orders"}
                - {name: subscriptionScopes, value: "ordering=orders"}
            scopes: [ordering]
            ---
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: {name: orderstore}
            spec:
              type: state.in-memory
              version: v1
              metadata:
                - {name: outboxPublishPubsub, value: "pubsub"}
                - {name: outboxPublishTopic, value: "orders"}
            scopes: [ordering]
            """);

        var findings = ResourceSetValidator.Validate(set, new SystemTopology(["ordering"], new Dictionary<string, string>()));

        var finding = Assert.Single(findings);
        Assert.Equal(FindingCodes.CrossReference, finding.Code);
        Assert.Equal(
            "[outbox-not-granted] outbox of 'orderstore': app 'ordering' must be allowed to publish and subscribe 'orderingordersoutbox' on 'pubsub' (daprd's internal outbox topic)",
            finding.Message);
    }

    [Fact]
    public void Cross_check_reports_resiliency_targets_that_name_nothing_and_a_missing_actor_store()
    {
        var set = FixtureSet("dangling",
            """
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata: {name: r}
            spec:
              policies: {retries: {r: {policy: constant, duration: 1s, maxRetries: 1}}}
              targets:
                apps: {shipping: {retry: r}}
                actors: {Cart: {retry: r}}
                components: {statestor: {outbound: {retry: r}}}
            """);

        var messages = ResourceSetValidator.Validate(set, DaprOrdersSystem.Topology).Select(f => f.Message).ToList();

        Assert.Contains("[dangling] resiliency target component 'statestor' is not defined in this resource set", messages);
        Assert.Contains("[dangling] resiliency target app 'shipping' is not an app id", messages);
        Assert.Contains("[dangling] resiliency target actor type 'Cart' is not hosted by any app", messages);
        Assert.Contains("[dangling] app 'ordering' sees 0 actor state stores (); it hosts actors and needs exactly one", messages);
    }

    [Fact]
    public void Cross_check_reports_a_component_whose_secret_store_is_not_loaded()
    {
        var set = FixtureSet("no-secret-store",
            """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: {name: statestore}
            spec:
              type: state.redis
              version: v1
              metadata:
                - {name: redisHost, value: "localhost:6379"}
                - name: redisPassword
                  secretKeyRef: {name: REDIS_PASSWORD}
            auth: {secretStore: secretstore}
            scopes: [audit]
            """);

        var finding = Assert.Single(ResourceSetValidator.Validate(set, new SystemTopology(["audit"], new Dictionary<string, string>())));
        Assert.Equal("[no-secret-store] component 'statestore' reads secrets from 'secretstore', which is not a secret store in this resource set", finding.Message);
    }

    [Fact]
    public void Cross_check_reports_declarative_subscriptions_the_acl_refuses()
    {
        var set = FixtureSet("subscription",
            """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: {name: pubsub}
            spec:
              type: pubsub.in-memory
              version: v1
              metadata:
                - {name: publishingScopes, value: "audit=orders"}
                - {name: subscriptionScopes, value: "audit=payments"}
            scopes: [audit]
            ---
            apiVersion: dapr.io/v2alpha1
            kind: Subscription
            metadata: {name: audit-orders}
            spec:
              pubsubname: pubsub
              topic: orders
              routes: {default: /orders}
              deadLetterTopic: deadletters
            scopes: [audit]
            ---
            apiVersion: dapr.io/v2alpha1
            kind: Subscription
            metadata: {name: elsewhere}
            spec:
              pubsubname: kafka
              topic: orders
              routes: {default: /orders}
            """);

        var messages = ResourceSetValidator.Validate(set, new SystemTopology(["audit"], new Dictionary<string, string>())).Select(f => f.Message);

        Assert.Equal(
            [
                "[subscription] app 'audit' may not subscribe to 'orders' on 'pubsub'",
                "[subscription] app 'audit' may not publish its dead letters to 'deadletters'",
                "[subscription] subscription uses pub/sub 'kafka', which is not defined",
            ],
            messages);
    }

    private static ResourceSet FixtureSet(string name, string yaml)
    {
        var directory = Directory.CreateTempSubdirectory("daprorders-set-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "resources.yaml"), yaml);
            var findings = new List<Finding>();
            var set = ResourceSet.Load(name, directory.FullName, ["."], findings);
            Assert.Empty(findings);
            return set;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    internal static JToken Parse(string yaml) => YamlResourceReader.ReadText(yaml, "inline.yaml", []).Single().Json;
}
