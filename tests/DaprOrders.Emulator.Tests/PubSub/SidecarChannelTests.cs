using System.Net;
using DaprOrders.Emulator.Tests.Infrastructure;

namespace DaprOrders.Emulator.Tests.PubSub;

// daprd release-1.17: pkg/channel/http/http_channel.go (subscribe call headers, APP_API_TOKEN on the app channel),
// pkg/runtime/pubsub/cloudevents.go (samplingRate "0" ⇒ empty trace fields), pkg/api/http/metadata.go, and the
// emulator-level view.
public sealed class SidecarChannelTests
{
    [Fact]
    public async Task The_app_channel_sends_the_app_api_token_and_subscribe_carries_the_app_id()
    {
        var app = await TestApp.StartAsync(a => a.Subscribe("""[{"pubsubname":"pubsub","topic":"orders","route":"/orders"}]"""));
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder().WithPubSub(), new Dictionary<string, TestApp?> { ["orders"] = app },
            configure: o => o.Apps[0].AppApiToken = "app-secret");

        await bed.PublishJsonAsync("orders", "orders", "{}");

        var delivery = (await app.WaitForDeliveriesAsync("/orders", 1))[0];
        var subscribe = app.Requests.Single(r => r.Path == "/dapr/subscribe");
        Assert.Equal("app-secret", delivery.Header("dapr-api-token"));
        Assert.Equal("app-secret", subscribe.Header("dapr-api-token"));
        Assert.Equal("orders", subscribe.Header("dapr-app-id"));
    }

    [Fact]
    public async Task A_connection_failure_on_dapr_subscribe_is_retried_as_daprds_initialization_retries_do()
    {
        const string Subscriptions = """[{"pubsubname":"pubsub","topic":"orders","route":"/orders"}]""";
        var app = await TestApp.StartAsync(a => a.RespondInSequence("GET", "/dapr/subscribe",
            TestResponse.DroppedConnection(), TestResponse.DroppedConnection(), TestResponse.Json(Subscriptions)));
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder().WithPubSub(), new Dictionary<string, TestApp?> { ["orders"] = app });

        await bed.PublishJsonAsync("orders", "orders", "{}");

        await app.WaitForDeliveriesAsync("/orders", 1);
        Assert.Equal(3, app.RequestsTo("/dapr/subscribe", "GET").Count);
    }

    [Fact]
    public async Task Dapr_subscribe_is_given_up_after_three_retries_and_the_app_runs_without_programmatic_subscriptions()
    {
        var app = await TestApp.StartAsync(a => a.Respond("GET", "/dapr/subscribe", TestResponse.DroppedConnection()));
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder().WithPubSub(), new Dictionary<string, TestApp?> { ["orders"] = app });

        Assert.Equal(4, app.RequestsTo("/dapr/subscribe", "GET").Count);
        Assert.Empty(bed.Broker.SubscriptionsOf("orders"));
    }

    [Fact]
    public async Task A_resiliency_policy_named_DaprBuiltInInitializationRetries_replaces_the_built_in_retries_of_dapr_subscribe()
    {
        var app = await TestApp.StartAsync(a => a.Respond("GET", "/dapr/subscribe", TestResponse.DroppedConnection()));
        var resources = new ResourceFolder().WithPubSub().Write("resiliency.yaml", """
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata:
              name: init
            spec:
              policies:
                retries:
                  DaprBuiltInInitializationRetries:
                    policy: constant
                    duration: 10ms
                    maxRetries: 1
            """);
        await using var bed = await EmulatorTestBed.StartAsync(resources, new Dictionary<string, TestApp?> { ["orders"] = app });

        Assert.Equal(2, app.RequestsTo("/dapr/subscribe", "GET").Count);
    }

    [Fact]
    public async Task Sampling_rate_zero_disables_tracing_so_trace_attributes_are_empty()
    {
        var app = await TestApp.StartAsync(a => a.Subscribe("""[{"pubsubname":"pubsub","topic":"orders","route":"/orders"}]"""));
        var resources = new ResourceFolder().WithPubSub();
        var config = Path.Combine(resources.Path, "..", $"config-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(config, """
            apiVersion: dapr.io/v1alpha1
            kind: Configuration
            metadata:
              name: notrace
            spec:
              tracing:
                samplingRate: "0"
            """);
        try
        {
            await using var bed = await EmulatorTestBed.StartAsync(resources, new Dictionary<string, TestApp?> { ["orders"] = app },
                configure: o => o.ConfigFilePath = config);

            await bed.PublishJsonAsync("orders", "orders", "{}");

            var delivery = (await app.WaitForDeliveriesAsync("/orders", 1))[0];
            Assert.Equal(string.Empty, delivery.Json!["traceparent"]!.GetValue<string>());
            Assert.Equal(string.Empty, delivery.Json!["traceid"]!.GetValue<string>());
            Assert.Null(delivery.Header("traceparent"));
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task An_app_without_any_pubsub_gets_pubsub_not_configured()
    {
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder().WithPubSub(scopes: "scopes: [other]"),
            new Dictionary<string, TestApp?> { ["lonely"] = null, ["other"] = null });

        var response = await bed.PublishJsonAsync("lonely", "orders", "{}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("ERR_PUBSUB_NOT_CONFIGURED", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Describe_lists_every_app_with_its_endpoint_readiness_and_subscriptions()
    {
        var app = await TestApp.StartAsync(a => a.Subscribe("""[{"pubsubname":"pubsub","topic":"orders","route":"/orders"}]"""));
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder().WithPubSub(), new Dictionary<string, TestApp?> { ["orders"] = app, ["checkout"] = null });

        var view = bed.Emulator.Describe();

        var apps = view["apps"]!.AsArray();
        Assert.Equal(["checkout", "orders"], apps.Select(a => a!["appId"]!.GetValue<string>()).ToArray());
        Assert.All(apps, a => Assert.True(a!["ready"]!.GetValue<bool>()));
        Assert.Equal(bed.Emulator["orders"].HttpEndpoint.ToString(), apps[1]!["daprHttpEndpoint"]!.GetValue<string>());
        Assert.Equal("orders", apps[1]!["subscriptions"]![0]!["topic"]!.GetValue<string>());
        Assert.Equal("pubsub", view["components"]![0]!["name"]!.GetValue<string>());
    }
}
