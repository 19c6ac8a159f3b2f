using DaprOrders.Emulator.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace DaprOrders.Emulator.Tests.PubSub;

// Wire notes 2.4 (app response semantics) and 2.5 (retries, dead-lettering): a constant 1 s retry policy with
// maxRetries 2 targets the pubsub's inbound direction, so a retriable outcome means 3 attempts then the DLT.
public sealed class DeliveryOutcomeTests
{
    private const string Subscriptions = """
        [{"pubsubname":"pubsub","topic":"orders","route":"/orders","deadLetterTopic":"orders-dlq"},
         {"pubsubname":"pubsub","topic":"orders-dlq","route":"/dlq"}]
        """;

    internal const string RetryTwiceEverySecond = """
        apiVersion: dapr.io/v1alpha1
        kind: Resiliency
        metadata:
          name: retries
        spec:
          policies:
            retries:
              inboundRetry:
                policy: constant
                duration: 1s
                maxRetries: 2
          targets:
            components:
              pubsub:
                inbound:
                  retry: inboundRetry
        """;

    [Theory]
    [InlineData(200, null, 1, false)]
    [InlineData(204, null, 1, false)]
    [InlineData(200, "{\"status\":\"SUCCESS\"}", 1, false)]
    [InlineData(200, "{}", 1, false)]
    [InlineData(200, "{\"status\":\"\"}", 1, false)]
    [InlineData(200, "\"ok\"", 1, false)]
    [InlineData(200, "not json at all", 1, false)]
    [InlineData(200, "[]", 1, false)]
    [InlineData(200, "{\"status\":\"RETRY\"}", 3, true)]
    [InlineData(200, "{\"status\":\"success\"}", 3, true)]
    [InlineData(200, "{\"status\":\"UNKNOWN\"}", 3, true)]
    [InlineData(200, "{\"status\":\"DROP\"}", 1, true)]
    [InlineData(404, null, 1, true)]
    [InlineData(400, null, 3, true)]
    [InlineData(409, null, 3, true)]
    [InlineData(500, null, 3, true)]
    [InlineData(503, null, 3, true)]
    public async Task App_response_decides_success_retry_or_drop(int status, string? body, int expectedAttempts, bool deadLettered)
    {
        var app = await TestApp.StartAsync(a => a.Subscribe(Subscriptions).Respond("POST", "/orders", new TestResponse(status, body)));
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var bed = await EmulatorTestBed.StartAsync(
            new ResourceFolder().WithPubSub().Write("resiliency.yaml", RetryTwiceEverySecond),
            new Dictionary<string, TestApp?> { ["orders"] = app },
            clock);

        await bed.PublishJsonAsync("orders", "orders", "{\"n\":1}");
        await DrainAsync(bed);

        Assert.Equal(expectedAttempts, app.RequestsTo("/orders").Count);
        Assert.Equal(deadLettered ? 1 : 0, app.RequestsTo("/dlq").Count);
    }

    [Fact]
    public async Task Connection_errors_are_retried_then_dead_lettered()
    {
        var receiver = await TestApp.StartAsync(a => a.Subscribe("""[{"pubsubname":"pubsub","topic":"orders-dlq","route":"/dlq"}]"""));
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var gone = await TestApp.StartAsync(a => a.Subscribe(Subscriptions));
        await using var bed = await EmulatorTestBed.StartAsync(
            new ResourceFolder().WithPubSub().Write("resiliency.yaml", RetryTwiceEverySecond),
            new Dictionary<string, TestApp?> { ["orders"] = gone, ["receiver"] = receiver },
            clock);
        // The app stops listening after its sidecar connected: deliveries now fail to connect.
        await gone.DisposeAsync();

        await bed.PublishJsonAsync("orders", "orders", "{}");
        await DrainAsync(bed);

        // orders' own DLT subscription is on the stopped app, so check the broker count instead.
        Assert.Equal(1, bed.Broker.PublishedCounts.GetValueOrDefault("pubsub/orders-dlq"));
    }

    [Fact]
    public async Task Without_a_retry_policy_a_failure_goes_to_the_dead_letter_topic_at_once()
    {
        var app = await TestApp.StartAsync(a => a.Subscribe(Subscriptions).Respond("POST", "/orders", new TestResponse(500)));
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder().WithPubSub(), new Dictionary<string, TestApp?> { ["orders"] = app });

        await bed.PublishJsonAsync("orders", "orders", "{}");
        await app.WaitForDeliveriesAsync("/dlq", 1);
        await bed.WaitForIdleAsync();

        Assert.Single(app.RequestsTo("/orders"));
    }

    [Fact]
    public async Task Without_a_dead_letter_topic_a_failed_message_is_lost_like_pubsub_in_memory()
    {
        var app = await TestApp.StartAsync(a => a
            .Subscribe("""[{"pubsubname":"pubsub","topic":"orders","route":"/orders"}]""")
            .Respond("POST", "/orders", new TestResponse(500)));
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder().WithPubSub(), new Dictionary<string, TestApp?> { ["orders"] = app });

        await bed.PublishJsonAsync("orders", "orders", "{}");
        await app.WaitForDeliveriesAsync("/orders", 1);
        await bed.WaitForIdleAsync();

        Assert.Single(app.RequestsTo("/orders"));
        Assert.Single(bed.Broker.PublishedCounts);
    }

    /// <summary>Advances the fake clock one second at a time until no delivery is queued, running or waiting.</summary>
    internal static async Task DrainAsync(EmulatorTestBed bed)
    {
        for (var i = 0; i < 100; i++)
        {
            await bed.Emulator.WaitForClockWorkAsync(includeDeliveries: true, EmulatorTestBed.Deadline);
            if (bed.Broker.PendingRetries == 0)
            {
                await bed.WaitForIdleAsync();
                return;
            }

            await bed.AdvanceAsync(TimeSpan.FromSeconds(1));
        }

        throw new TimeoutException("deliveries did not finish after 100 simulated seconds");
    }
}
