using DaprOrders.Emulator.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace DaprOrders.Emulator.Tests.PubSub;

// Emulator feature (no daprd equivalent): faults a real broker or network produces, injected on purpose.
public sealed class FaultInjectionTests
{
    private const string Subscription = """
        [{"pubsubname":"pubsub","topic":"orders","route":"/orders","deadLetterTopic":"dlq"},
         {"pubsubname":"pubsub","topic":"dlq","route":"/dlq"},
         {"pubsubname":"pubsub","topic":"other","route":"/other"}]
        """;

    private static async Task<(EmulatorTestBed, TestApp)> StartAsync(FakeTimeProvider? clock = null, string resiliency = "")
    {
        var app = await TestApp.StartAsync(a => a.Subscribe(Subscription));
        var resources = new ResourceFolder().WithPubSub();
        if (resiliency.Length > 0)
        {
            resources.Write("resiliency.yaml", resiliency);
        }

        var bed = await EmulatorTestBed.StartAsync(resources, new Dictionary<string, TestApp?> { ["orders"] = app }, clock);
        return (bed, app);
    }

    [Fact]
    public async Task Duplicate_delivers_a_message_twice_with_the_same_id()
    {
        var (bed, app) = await StartAsync();
        await using var scope = bed;
        using var fault = bed.Faults.Duplicate(topic: "orders");

        await bed.PublishJsonAsync("orders", "orders", "{}");
        await bed.PublishJsonAsync("orders", "other", "{}");
        await bed.WaitForIdleAsync();

        var deliveries = app.RequestsTo("/orders");
        Assert.Equal(2, deliveries.Count);
        Assert.Equal(deliveries[0].Body, deliveries[1].Body);
        Assert.Single(app.RequestsTo("/other"));
    }

    [Fact]
    public async Task Drop_loses_the_fraction_of_messages_chosen_by_the_seeded_random()
    {
        var (bed, app) = await StartAsync();
        await using var scope = bed;
        using var fault = bed.Faults.Drop(0.5, appId: "orders");

        for (var i = 0; i < 40; i++)
        {
            await bed.PublishJsonAsync("orders", "orders", "{}");
        }

        await bed.WaitForIdleAsync();
        var delivered = app.RequestsTo("/orders").Count;
        Assert.InRange(delivered, 5, 35);
        Assert.Empty(app.RequestsTo("/dlq"));
    }

    [Fact]
    public async Task Fail_makes_attempts_fail_without_reaching_the_app_and_resiliency_retries_them()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var (bed, app) = await StartAsync(clock, DeliveryOutcomeTests.RetryTwiceEverySecond);
        await using var scope = bed;
        var fault = bed.Faults.Fail(topic: "orders");

        await bed.PublishJsonAsync("orders", "orders", "{}");
        await bed.AdvanceAsync(TimeSpan.FromSeconds(1));
        fault.Dispose(); // the third attempt gets through
        await bed.AdvanceAsync(TimeSpan.FromSeconds(1));
        await bed.WaitForIdleAsync();

        var delivered = Assert.Single(app.RequestsTo("/orders"));
        Assert.Equal(TimeSpan.FromSeconds(2), delivered.ReceivedAt - clock.Start);
    }

    [Fact]
    public async Task Delay_holds_deliveries_on_the_emulator_clock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var (bed, app) = await StartAsync(clock);
        await using var scope = bed;
        using var fault = bed.Faults.Delay(TimeSpan.FromSeconds(30), topic: "orders");

        await bed.PublishJsonAsync("orders", "orders", "{}");
        await bed.AdvanceAsync(TimeSpan.FromSeconds(29));
        Assert.Empty(app.RequestsTo("/orders"));
        Assert.Equal(1, bed.Broker.PendingRetries);

        await bed.AdvanceAsync(TimeSpan.FromSeconds(1));
        await app.WaitForDeliveriesAsync("/orders", 1);
    }

    [Fact]
    public async Task Restarting_an_app_redelivers_its_in_flight_messages_and_keeps_its_backlog()
    {
        var hang = new TaskCompletionSource();
        var app = await TestApp.StartAsync(a => a
            .Subscribe(Subscription)
            .RespondInSequence("POST", "/orders", new TestResponse(200) { WaitBefore = hang.Task }, new TestResponse(200)));
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder().WithPubSub(), new Dictionary<string, TestApp?> { ["orders"] = app });

        await bed.PublishJsonAsync("orders", "orders", "{\"n\":1}");
        var first = (await app.WaitForDeliveriesAsync("/orders", 1))[0];

        await bed.Emulator["orders"].ReconnectAppAsync();
        await bed.Emulator["orders"].WaitUntilReadyAsync().WaitAsync(EmulatorTestBed.Deadline);
        var again = (await app.WaitForDeliveriesAsync("/orders", 2))[1];
        await bed.WaitForIdleAsync();
        hang.SetResult();

        Assert.Equal(first.Body, again.Body);
        // The sidecar read /dapr/subscribe again after the restart.
        Assert.Equal(2, app.Requests.Count(r => r.Path == "/dapr/subscribe"));
        Assert.Empty(app.RequestsTo("/dlq"));
    }
}
