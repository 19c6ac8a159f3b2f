using DaprOrders.Emulator.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace DaprOrders.Emulator.Tests.PubSub;

// Wire notes 2.5 and 6: targets.components.<pubsub>.inbound, constant/exponential backoff (500 ms × 1.5, capped at
// maxInterval), maxRetries, matching.httpStatusCodes, per-attempt timeout, circuit breaker; all on the emulator's clock.
public sealed class InboundResiliencyTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private const string Subscriptions = """
        [{"pubsubname":"pubsub","topic":"orders","route":"/orders","deadLetterTopic":"orders-dlq"},
         {"pubsubname":"pubsub","topic":"orders-dlq","route":"/dlq"}]
        """;

    private static string Resiliency(string policies, string inbound) => $"""
        apiVersion: dapr.io/v1alpha1
        kind: Resiliency
        metadata:
          name: inbound
        spec:
          policies:
        {policies}
          targets:
            components:
              pubsub:
                inbound:
        {inbound}
        """;

    private static async Task<(EmulatorTestBed, TestApp)> StartAsync(string resiliency, TestResponse orderResponse, FakeTimeProvider clock)
    {
        var app = await TestApp.StartAsync(a => a.Subscribe(Subscriptions).Respond("POST", "/orders", orderResponse));
        var bed = await EmulatorTestBed.StartAsync(
            new ResourceFolder().WithPubSub().Write("resiliency.yaml", resiliency),
            new Dictionary<string, TestApp?> { ["orders"] = app },
            clock);
        return (bed, app);
    }

    [Fact]
    public async Task Constant_policy_retries_every_duration_up_to_max_retries_then_dead_letters_the_original_bytes()
    {
        var clock = new FakeTimeProvider(Start);
        var (bed, app) = await StartAsync(
            Resiliency("""
                    retries:
                      everyFive:
                        policy: constant
                        duration: 5s
                        maxRetries: 3
                """, "          retry: everyFive"),
            new TestResponse(500), clock);
        await using var scope = bed;

        await bed.PublishJsonAsync("orders", "orders", "{\"orderId\":42}");
        await app.WaitForDeliveriesAsync("/orders", 1);
        for (var attempt = 2; attempt <= 4; attempt++)
        {
            await bed.AdvanceAsync(TimeSpan.FromSeconds(5));
            await app.WaitForDeliveriesAsync("/orders", attempt);
        }

        var dead = (await app.WaitForDeliveriesAsync("/dlq", 1))[0];
        await bed.WaitForIdleAsync();
        var attempts = app.RequestsTo("/orders");
        Assert.Equal([0, 5, 10, 15], attempts.Select(a => (a.ReceivedAt - Start).TotalSeconds).ToArray());
        // The dead letter is the original broker message: same bytes, same id, topic still "orders".
        Assert.Equal(attempts[0].Body, dead.Body);
        Assert.Equal("orders", dead.Json!["topic"]!.GetValue<string>());
        Assert.Equal(TimeSpan.FromSeconds(15), dead.ReceivedAt - Start);
    }

    [Fact]
    public async Task Exponential_policy_waits_500ms_times_1_5_capped_at_max_interval()
    {
        var clock = new FakeTimeProvider(Start);
        var (bed, app) = await StartAsync(
            Resiliency("""
                    retries:
                      expo:
                        policy: exponential
                        maxInterval: 1s
                        maxRetries: 4
                """, "          retry: expo"),
            new TestResponse(503), clock);
        await using var scope = bed;

        await bed.PublishJsonAsync("orders", "orders", "{}");
        await app.WaitForDeliveriesAsync("/orders", 1);
        var expectedDelays = new[] { 500, 750, 1000, 1000 };
        for (var i = 0; i < expectedDelays.Length; i++)
        {
            // One millisecond short of the delay: nothing happens yet.
            await bed.AdvanceAsync(TimeSpan.FromMilliseconds(expectedDelays[i] - 1));
            Assert.Equal(i + 1, app.RequestsTo("/orders").Count);
            await bed.AdvanceAsync(TimeSpan.FromMilliseconds(1));
            await app.WaitForDeliveriesAsync("/orders", i + 2);
        }

        await app.WaitForDeliveriesAsync("/dlq", 1);
        var offsets = app.RequestsTo("/orders").Select(a => (a.ReceivedAt - Start).TotalMilliseconds).ToArray();
        Assert.Equal([0, 500, 1250, 2250, 3250], offsets);
    }

    [Fact]
    public async Task Exponential_jitter_stays_within_half_of_the_interval_either_side()
    {
        var clock = new FakeTimeProvider(Start);
        var app = await TestApp.StartAsync(a => a.Subscribe(Subscriptions).Respond("POST", "/orders", new TestResponse(503)));
        await using var bed = await EmulatorTestBed.StartAsync(
            new ResourceFolder().WithPubSub().Write("resiliency.yaml", Resiliency("""
                    retries:
                      expo:
                        policy: exponential
                        maxRetries: 1
                """, "          retry: expo")),
            new Dictionary<string, TestApp?> { ["orders"] = app },
            clock,
            o => o.DisableRetryJitter = false);

        await bed.PublishJsonAsync("orders", "orders", "{}");
        await app.WaitForDeliveriesAsync("/orders", 1);
        await bed.AdvanceAsync(TimeSpan.FromMilliseconds(249));
        Assert.Single(app.RequestsTo("/orders"));
        await bed.AdvanceAsync(TimeSpan.FromMilliseconds(501));
        await app.WaitForDeliveriesAsync("/orders", 2);
    }

    [Fact]
    public async Task Matching_http_status_codes_retries_only_listed_codes()
    {
        var clock = new FakeTimeProvider(Start);
        var app = await TestApp.StartAsync(a => a.Subscribe(Subscriptions)
            .Respond(r => r.Path == "/orders" && r.Json!["data"]!["code"]!.GetValue<int>() is var code ? new TestResponse(code) : null));
        await using var bed = await EmulatorTestBed.StartAsync(
            new ResourceFolder().WithPubSub().Write("resiliency.yaml", Resiliency("""
                    retries:
                      serverErrors:
                        policy: constant
                        duration: 1s
                        maxRetries: 2
                        matching:
                          httpStatusCodes: "429,500-599"
                """, "          retry: serverErrors")),
            new Dictionary<string, TestApp?> { ["orders"] = app },
            clock);

        await bed.PublishJsonAsync("orders", "orders", "{\"code\":400}");
        await bed.PublishJsonAsync("orders", "orders", "{\"code\":502}");
        await DeliveryOutcomeTests.DrainAsync(bed);

        var byCode = app.RequestsTo("/orders").GroupBy(r => r.Json!["data"]!["code"]!.GetValue<int>()).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(1, byCode[400]);
        Assert.Equal(3, byCode[502]);
        Assert.Equal(2, app.RequestsTo("/dlq").Count);
    }

    [Fact]
    public async Task Timeout_applies_per_attempt_and_a_timed_out_attempt_is_retried()
    {
        var clock = new FakeTimeProvider(Start);
        var hang = new TaskCompletionSource();
        var app = await TestApp.StartAsync(a => a.Subscribe(Subscriptions)
            .RespondInSequence("POST", "/orders", new TestResponse(200) { WaitBefore = hang.Task }, new TestResponse(200)));
        await using var bed = await EmulatorTestBed.StartAsync(
            new ResourceFolder().WithPubSub().Write("resiliency.yaml", Resiliency("""
                    timeouts:
                      short: 2s
                    retries:
                      again:
                        policy: constant
                        duration: 1s
                        maxRetries: 1
                """, """
                          timeout: short
                          retry: again
                """)),
            new Dictionary<string, TestApp?> { ["orders"] = app },
            clock);

        await bed.PublishJsonAsync("orders", "orders", "{}");
        await app.WaitForDeliveriesAsync("/orders", 1);
        await bed.AdvanceAsync(TimeSpan.FromSeconds(2), waitForDeliveries: false); // the hung attempt times out
        await bed.AdvanceAsync(TimeSpan.FromSeconds(1)); // the retry delay passes
        await app.WaitForDeliveriesAsync("/orders", 2);
        await bed.WaitForIdleAsync();
        hang.SetResult();

        Assert.Empty(app.RequestsTo("/dlq"));
        Assert.Equal(TimeSpan.FromSeconds(3), app.RequestsTo("/orders")[1].ReceivedAt - Start);
    }

    [Fact]
    public async Task Circuit_breaker_opens_after_consecutive_failures_and_half_opens_after_its_timeout()
    {
        var clock = new FakeTimeProvider(Start);
        var healthy = false;
        var app = await TestApp.StartAsync(a => a.Subscribe("[{\"pubsubname\":\"pubsub\",\"topic\":\"orders\",\"route\":\"/orders\",\"deadLetterTopic\":\"orders-dlq\"}]")
            .Respond(r => r.Path == "/orders" ? new TestResponse(Volatile.Read(ref healthy) ? 200 : 500) : null));
        // The breaker guards the orders sidecar's inbound pubsub calls (also its DLT deliveries), so another app reads the DLT.
        var audit = await TestApp.StartAsync(a => a.Subscribe("[{\"pubsubname\":\"pubsub\",\"topic\":\"orders-dlq\",\"route\":\"/dlq\"}]"));
        await using var bed = await EmulatorTestBed.StartAsync(
            new ResourceFolder().WithPubSub().Write("resiliency.yaml", Resiliency("""
                    retries:
                      again:
                        policy: constant
                        duration: 1s
                        maxRetries: 5
                    circuitBreakers:
                      breaker:
                        trip: consecutiveFailures > 1
                        timeout: 30s
                """, """
                          retry: again
                          circuitBreaker: breaker
                """)),
            new Dictionary<string, TestApp?> { ["orders"] = app, ["audit"] = audit },
            clock);

        await bed.PublishJsonAsync("orders", "orders", "{\"n\":1}");
        await DeliveryOutcomeTests.DrainAsync(bed);
        // Two failures trip the breaker; the next retry finds it open, which is permanent: dead-lettered.
        Assert.Equal(2, app.RequestsTo("/orders").Count);
        Assert.Single(audit.RequestsTo("/dlq"));

        await bed.PublishJsonAsync("orders", "orders", "{\"n\":2}");
        await audit.WaitForDeliveriesAsync("/dlq", 2);
        Assert.Equal(2, app.RequestsTo("/orders").Count);

        Volatile.Write(ref healthy, true);
        await bed.AdvanceAsync(TimeSpan.FromSeconds(30));
        await bed.PublishJsonAsync("orders", "orders", "{\"n\":3}");
        await app.WaitForDeliveriesAsync("/orders", 3);
        await bed.WaitForIdleAsync();
        Assert.Equal(2, audit.RequestsTo("/dlq").Count);
    }

    [Fact]
    public async Task Default_policy_names_apply_when_no_target_names_the_component()
    {
        var clock = new FakeTimeProvider(Start);
        var app = await TestApp.StartAsync(a => a.Subscribe(Subscriptions).Respond("POST", "/orders", new TestResponse(500)));
        await using var bed = await EmulatorTestBed.StartAsync(
            new ResourceFolder().WithPubSub().Write("resiliency.yaml", """
                apiVersion: dapr.io/v1alpha1
                kind: Resiliency
                metadata:
                  name: defaults
                spec:
                  policies:
                    retries:
                      DefaultPubsubComponentInboundRetryPolicy:
                        policy: constant
                        duration: 2s
                        maxRetries: 1
                """),
            new Dictionary<string, TestApp?> { ["orders"] = app },
            clock);

        await bed.PublishJsonAsync("orders", "orders", "{}");
        await DeliveryOutcomeTests.DrainAsync(bed);

        Assert.Equal([0, 2], app.RequestsTo("/orders").Select(r => (r.ReceivedAt - Start).TotalSeconds).ToArray());
    }
}
