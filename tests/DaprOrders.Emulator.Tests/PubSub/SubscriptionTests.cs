using System.Net;
using System.Text.Json.Nodes;
using DaprOrders.Emulator.PubSub;
using DaprOrders.Emulator.Resources;
using DaprOrders.Emulator.Tests.Infrastructure;

namespace DaprOrders.Emulator.Tests.PubSub;

// https://docs.dapr.io/developing-applications/building-blocks/pubsub/subscription-methods/ (programmatic, declarative,
// routing rules); dapr/dapr release-1.17 pkg/runtime/pubsub/subscriptions.go, pkg/api/http/metadata.go, pkg/scopes/scopes.go.
public sealed class SubscriptionTests
{
    private const string Routed = """
        [{"pubsubName":"pubsub","topic":"widgets",
          "routes":{"rules":[{"match":"event.type == \"widget.created\"","path":"/widgets/created"},
                             {"match":"event.data.priority > 5","path":"widgets/urgent"}],
                    "default":"/widgets"},
          "deadLetterTopic":"widgets-dlq"},
         {"PUBSUBNAME":"pubsub","Topic":"widgets-dlq","Route":"/dlq"}]
        """;

    [Fact]
    public async Task Programmatic_routes_pick_the_first_matching_rule_then_the_default()
    {
        var app = await TestApp.StartAsync(a => a.Subscribe(Routed));
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder().WithPubSub(), new Dictionary<string, TestApp?> { ["shop"] = app });

        await bed.PublishJsonAsync("shop", "widgets", "{\"priority\":9}", query: "?metadata.cloudevent.type=widget.created");
        await bed.PublishJsonAsync("shop", "widgets", "{\"priority\":9}");
        await bed.PublishJsonAsync("shop", "widgets", "{\"priority\":1}");
        await bed.WaitForIdleAsync();

        Assert.Single(app.RequestsTo("/widgets/created"));
        Assert.Single(app.RequestsTo("/widgets/urgent"));
        Assert.Single(app.RequestsTo("/widgets"));
        Assert.Empty(app.RequestsTo("/dlq"));
    }

    [Fact]
    public async Task No_matching_rule_drops_the_message_and_copies_it_to_the_dead_letter_topic()
    {
        var app = await TestApp.StartAsync(a => a.Subscribe("""
            [{"pubsubname":"pubsub","topic":"widgets","routes":{"rules":[{"match":"event.data.priority > 5","path":"/urgent"}]},"deadLetterTopic":"dlq"},
             {"pubsubname":"pubsub","topic":"dlq","route":"/dlq"}]
            """));
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder().WithPubSub(), new Dictionary<string, TestApp?> { ["shop"] = app });

        await bed.PublishJsonAsync("shop", "widgets", "{\"priority\":1}");
        await bed.PublishJsonAsync("shop", "widgets", "{\"other\":1}"); // evaluation error: missing key

        await app.WaitForDeliveriesAsync("/dlq", 2);
        await bed.WaitForIdleAsync();
        Assert.Empty(app.RequestsTo("/urgent"));
    }

    [Fact]
    public async Task Unsupported_cel_in_programmatic_subscriptions_fails_the_app_connection_naming_the_expression()
    {
        var app = await TestApp.StartAsync(a => a.Subscribe("""
            [{"pubsubname":"pubsub","topic":"widgets","routes":{"rules":[{"match":"size(event.data) > 0","path":"/x"}]}}]
            """));
        await using var resources = new ResourceFolder().WithPubSub().AsDisposable();

        var error = await Assert.ThrowsAsync<SubscriptionRejectedException>(() =>
            EmulatorTestBed.StartAsync(resources.Folder, new Dictionary<string, TestApp?> { ["shop"] = app }));

        Assert.Contains("size(event.data) > 0", error.Message, StringComparison.Ordinal);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Declarative_subscriptions_load_both_api_versions_respect_scopes_and_yield_to_programmatic_ones()
    {
        var shop = await TestApp.StartAsync(a => a.Subscribe("""[{"pubsubname":"pubsub","topic":"replaced","route":"/programmatic"}]"""));
        var other = await TestApp.StartAsync();
        var resources = new ResourceFolder().WithPubSub().Write("subscriptions.yaml", """
            apiVersion: dapr.io/v2alpha1
            kind: Subscription
            metadata:
              name: v2
            spec:
              pubsubname: pubsub
              topic: orders
              routes:
                rules:
                  - match: event.data.express == true
                    path: /orders/express
                default: /orders
            scopes:
              - shop
            ---
            apiVersion: dapr.io/v1alpha1
            kind: Subscription
            metadata:
              name: v1
            spec:
              pubsubname: pubsub
              topic: replaced
              route: /declarative
            """);
        await using var bed = await EmulatorTestBed.StartAsync(resources, new Dictionary<string, TestApp?> { ["shop"] = shop, ["other"] = other });

        await bed.PublishJsonAsync("shop", "orders", "{\"express\":true}");
        await bed.PublishJsonAsync("shop", "orders", "{\"express\":false}");
        await bed.PublishJsonAsync("shop", "replaced", "{}");
        await bed.WaitForIdleAsync();

        Assert.Single(shop.RequestsTo("/orders/express"));
        Assert.Single(shop.RequestsTo("/orders"));
        Assert.Single(shop.RequestsTo("/programmatic"));
        Assert.Empty(shop.RequestsTo("/declarative"));
        // "other" is not in the v2 subscription's scopes but gets the unscoped v1 one.
        Assert.Empty(other.RequestsTo("/orders"));
        Assert.Single(other.RequestsTo("/declarative"));
    }

    [Fact]
    public async Task Each_subscribed_app_gets_its_own_copy_consumer_group_per_app_id()
    {
        const string Subscription = """[{"pubsubname":"pubsub","topic":"orders","route":"/orders"}]""";
        var billing = await TestApp.StartAsync(a => a.Subscribe(Subscription));
        var shipping = await TestApp.StartAsync(a => a.Subscribe(Subscription));
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder().WithPubSub(),
            new Dictionary<string, TestApp?> { ["billing"] = billing, ["shipping"] = shipping, ["checkout"] = null });

        for (var i = 0; i < 10; i++)
        {
            await bed.PublishJsonAsync("checkout", "orders", $"{{\"n\":{i}}}");
        }

        await bed.WaitForIdleAsync();
        Assert.Equal(10, billing.RequestsTo("/orders").Count);
        Assert.Equal(10, shipping.RequestsTo("/orders").Count);
        Assert.Equal(10, billing.RequestsTo("/orders").Select(r => r.Json!["id"]!.GetValue<string>()).Distinct().Count());
    }

    [Fact]
    public async Task Delivery_is_concurrent_and_does_not_block_the_publisher()
    {
        var release = new TaskCompletionSource();
        var app = await TestApp.StartAsync(a => a
            .Subscribe("""[{"pubsubname":"pubsub","topic":"orders","route":"/orders"}]""")
            .Respond("POST", "/orders", new TestResponse(200) { WaitBefore = release.Task }));
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder().WithPubSub(), new Dictionary<string, TestApp?> { ["orders"] = app });

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await bed.PublishJsonAsync("orders", "orders", "{}")).StatusCode);
        }

        // All five are at the app at once although none has been answered.
        await app.WaitForDeliveriesAsync("/orders", 5);
        Assert.Equal(5, bed.Broker.InFlight);
        release.SetResult();
        await bed.WaitForIdleAsync();
    }

    [Fact]
    public async Task Expired_messages_are_dropped_on_delivery_and_dead_lettered()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var app = await TestApp.StartAsync(a => a.Subscribe("""
            [{"pubsubname":"pubsub","topic":"orders","route":"/orders","deadLetterTopic":"dlq"},
             {"pubsubname":"pubsub","topic":"dlq","route":"/dlq"}]
            """));
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder().WithPubSub(), new Dictionary<string, TestApp?> { ["orders"] = app }, clock);
        using var delay = bed.Faults.Delay(TimeSpan.FromSeconds(20), topic: "orders");

        await bed.PublishJsonAsync("orders", "orders", "{}", query: "?metadata.ttlInSeconds=10");
        await bed.PublishJsonAsync("orders", "orders", "{}", query: "?metadata.ttlInSeconds=30");
        await bed.AdvanceAsync(TimeSpan.FromSeconds(20));
        await bed.WaitForIdleAsync();

        var delivered = Assert.Single(app.RequestsTo("/orders"));
        Assert.Equal("2026-01-01T00:00:30Z", delivered.Json!["expiration"]!.GetValue<string>());
        // The expired one went to the DLT unchanged; still expired there, so the DLT subscriber's sidecar drops it too.
        Assert.Equal(1, bed.Broker.PublishedCounts["pubsub/dlq"]);
        Assert.Empty(app.RequestsTo("/dlq"));
    }

    [Fact]
    public async Task Metadata_lists_subscriptions_with_rules_dead_letter_topic_and_type()
    {
        var app = await TestApp.StartAsync(a => a.Subscribe(Routed));
        var resources = new ResourceFolder().WithPubSub().Write("sub.yaml", """
            apiVersion: dapr.io/v1alpha1
            kind: Subscription
            metadata:
              name: declared
            spec:
              pubsubname: pubsub
              topic: declared
              route: /declared
            """);
        await using var bed = await EmulatorTestBed.StartAsync(resources, new Dictionary<string, TestApp?> { ["shop"] = app });

        var metadata = JsonNode.Parse(await bed.Http.GetStringAsync(bed.Sidecar("shop", "/v1.0/metadata")))!;

        var subscriptions = metadata["subscriptions"]!.AsArray().Select(s => s!.AsObject()).ToList();
        Assert.Equal(["declared", "widgets", "widgets-dlq"], subscriptions.Select(s => s["topic"]!.GetValue<string>()).ToArray());
        Assert.Equal("DECLARATIVE", subscriptions[0]["type"]!.GetValue<string>());
        Assert.Equal("PROGRAMMATIC", subscriptions[1]["type"]!.GetValue<string>());
        Assert.Equal("widgets-dlq", subscriptions[1]["deadLetterTopic"]!.GetValue<string>());
        Assert.Equal(
            ["event.type == \"widget.created\"|/widgets/created", "event.data.priority > 5|/widgets/urgent", "|/widgets"],
            subscriptions[1]["rules"]!.AsArray().Select(r => $"{r!["match"]}|{r["path"]}").ToArray());
        var component = metadata["components"]!.AsArray().Single()!;
        Assert.Equal("pubsub.in-memory", component["type"]!.GetValue<string>());
        Assert.Equal("v1", component["version"]!.GetValue<string>());
    }
}
