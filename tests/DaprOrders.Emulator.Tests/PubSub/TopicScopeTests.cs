using System.Net;
using System.Text.Json.Nodes;
using DaprOrders.Emulator.Tests.Infrastructure;

namespace DaprOrders.Emulator.Tests.PubSub;

// dapr/dapr release-1.17 pkg/scopes/scopes.go and https://docs.dapr.io/developing-applications/building-blocks/pubsub/pubsub-scopes/: component scopes, publishingScopes / subscriptionScopes / allowedTopics / protectedTopics.
public sealed class TopicScopeTests
{
    private const string Subscriptions = """
        [{"pubsubname":"pubsub","topic":"orders","route":"/orders"},
         {"pubsubname":"pubsub","topic":"payments","route":"/payments"},
         {"pubsubname":"pubsub","topic":"secret","route":"/secret"}]
        """;

    private static async Task<(EmulatorTestBed, TestApp)> StartAsync(string metadata)
    {
        var app = await TestApp.StartAsync(a => a.Subscribe(Subscriptions));
        var bed = await EmulatorTestBed.StartAsync(new ResourceFolder().WithPubSub(metadata: metadata),
            new Dictionary<string, TestApp?> { ["checkout"] = null, ["orders"] = app });
        return (bed, app);
    }

    [Fact]
    public async Task Publishing_scopes_forbid_unlisted_topics_with_403()
    {
        var (bed, _) = await StartAsync("""
                - name: publishingScopes
                  value: "checkout=orders; orders="
            """);
        await using var scope = bed;

        Assert.Equal(HttpStatusCode.NoContent, (await bed.PublishJsonAsync("checkout", "orders", "{}")).StatusCode);
        var denied = await bed.PublishJsonAsync("checkout", "payments", "{}");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal("ERR_PUBSUB_FORBIDDEN", JsonNode.Parse(await denied.Content.ReadAsStringAsync())!["errorCode"]!.GetValue<string>());
        // "orders=" grants no topic at all.
        Assert.Equal(HttpStatusCode.Forbidden, (await bed.PublishJsonAsync("orders", "orders", "{}")).StatusCode);
    }

    [Fact]
    public async Task Subscription_scopes_keep_unlisted_subscriptions_from_starting()
    {
        var (bed, app) = await StartAsync("""
                - name: subscriptionScopes
                  value: "orders=payments"
            """);
        await using var scope = bed;

        await bed.PublishJsonAsync("checkout", "orders", "{}");
        await bed.PublishJsonAsync("checkout", "payments", "{}");
        await bed.WaitForIdleAsync();

        Assert.Empty(app.RequestsTo("/orders"));
        Assert.Single(app.RequestsTo("/payments"));
        var metadata = JsonNode.Parse(await bed.Http.GetStringAsync(bed.Sidecar("orders", "/v1.0/metadata")))!;
        Assert.Equal(["payments"], metadata["subscriptions"]!.AsArray().Select(s => s!["topic"]!.GetValue<string>()).ToArray());
    }

    [Fact]
    public async Task Allowed_topics_restrict_everyone_and_protected_topics_need_an_explicit_scope()
    {
        var (bed, app) = await StartAsync("""
                - name: allowedTopics
                  value: "orders,secret"
                - name: protectedTopics
                  value: "secret"
                - name: publishingScopes
                  value: "checkout=orders,secret"
            """);
        await using var scope = bed;

        Assert.Equal(HttpStatusCode.Forbidden, (await bed.PublishJsonAsync("checkout", "payments", "{}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await bed.PublishJsonAsync("checkout", "secret", "{}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bed.PublishJsonAsync("orders", "secret", "{}")).StatusCode);
        await bed.WaitForIdleAsync();
        // "orders" has no subscription scope for the protected topic, so its subscription did not start.
        Assert.Empty(app.RequestsTo("/secret"));
    }

    [Fact]
    public async Task A_component_scoped_to_other_apps_does_not_exist_for_this_app()
    {
        var app = await TestApp.StartAsync(a => a.Subscribe(Subscriptions));
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder().WithPubSub(scopes: "scopes:\n  - orders").WithPubSub("other"),
            new Dictionary<string, TestApp?> { ["checkout"] = null, ["orders"] = app, ["lonely"] = null });

        Assert.Equal(HttpStatusCode.NotFound, (await bed.PublishJsonAsync("checkout", "orders", "{}")).StatusCode);
        var metadata = JsonNode.Parse(await bed.Http.GetStringAsync(bed.Sidecar("checkout", "/v1.0/metadata")))!;
        Assert.Equal(["other"], metadata["components"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ToArray());
        Assert.Equal(HttpStatusCode.NoContent, (await bed.PublishJsonAsync("orders", "orders", "{}")).StatusCode);
    }

    [Fact]
    public async Task Dead_letter_publishing_is_subject_to_the_subscribers_publishing_scopes()
    {
        var app = await TestApp.StartAsync(a => a
            .Subscribe("""
                [{"pubsubname":"pubsub","topic":"orders","route":"/orders","deadLetterTopic":"dlq"},
                 {"pubsubname":"pubsub","topic":"dlq","route":"/dlq"}]
                """)
            .Respond("POST", "/orders", new TestResponse(200, "{\"status\":\"DROP\"}")));
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder().WithPubSub(metadata: """
                - name: publishingScopes
                  value: "checkout=orders;orders=orders"
            """), new Dictionary<string, TestApp?> { ["checkout"] = null, ["orders"] = app });

        await bed.PublishJsonAsync("checkout", "orders", "{}");
        await app.WaitForDeliveriesAsync("/orders", 1);
        await bed.WaitForIdleAsync();

        Assert.False(bed.Broker.PublishedCounts.ContainsKey("pubsub/dlq"));
    }
}
