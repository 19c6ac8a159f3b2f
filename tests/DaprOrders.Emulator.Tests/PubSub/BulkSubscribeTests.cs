using System.Text.Json.Nodes;
using DaprOrders.Emulator.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace DaprOrders.Emulator.Tests.PubSub;

// dapr/dapr release-1.17 pkg/runtime/subscription/bulksubscription.go: bulk subscribe (daprd's default bulk subscriber: maxMessagesCount / maxAwaitDurationMs).
public sealed class BulkSubscribeTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static TestResponse AnswerByOrderNumber(RecordedRequest request)
    {
        // n=1 succeeds, n=2 is dropped, n=3 gets no status (which means RETRY in bulk responses).
        var statuses = new JsonArray();
        foreach (var entry in request.Json!["entries"]!.AsArray())
        {
            var n = entry!["event"]!["data"]!["n"]!.GetValue<int>();
            if (n != 3)
            {
                statuses.Add(new JsonObject { ["entryId"] = entry["entryId"]!.GetValue<string>(), ["status"] = n == 1 ? "SUCCESS" : "DROP" });
            }
        }

        return TestResponse.Json(new JsonObject { ["statuses"] = statuses }.ToJsonString());
    }

    [Fact]
    public async Task A_batch_closes_after_max_await_and_only_failed_entries_are_retried_then_dead_lettered()
    {
        var clock = new FakeTimeProvider(Start);
        var app = await TestApp.StartAsync(a => a
            .Subscribe("""
                [{"pubsubname":"pubsub","topic":"orders","route":"/bulk","deadLetterTopic":"dlq",
                  "bulkSubscribe":{"enabled":true,"maxMessagesCount":100,"maxAwaitDurationMs":1000}},
                 {"pubsubname":"pubsub","topic":"dlq","route":"/dlq"}]
                """)
            .Respond(r => r.Path == "/bulk" ? AnswerByOrderNumber(r) : null));
        await using var bed = await EmulatorTestBed.StartAsync(
            new ResourceFolder().WithPubSub().Write("resiliency.yaml", DeliveryOutcomeTests.RetryTwiceEverySecond),
            new Dictionary<string, TestApp?> { ["orders"] = app },
            clock);

        for (var n = 1; n <= 3; n++)
        {
            await bed.PublishJsonAsync("orders", "orders", $"{{\"n\":{n}}}");
        }

        await bed.AdvanceAsync(TimeSpan.FromMilliseconds(999));
        Assert.Empty(app.RequestsTo("/bulk"));
        await bed.AdvanceAsync(TimeSpan.FromMilliseconds(1));
        var first = (await app.WaitForDeliveriesAsync("/bulk", 1))[0];
        await DeliveryOutcomeTests.DrainAsync(bed);

        Assert.Equal("application/json", first.Header("content-type"));
        Assert.Equal("com.dapr.event.sent.bulk", first.Json!["type"]!.GetValue<string>());
        Assert.Equal("orders", first.Json!["topic"]!.GetValue<string>());
        var entries = first.Json!["entries"]!.AsArray();
        Assert.Equal(3, entries.Count);
        Assert.All(entries, e => Assert.Equal("application/cloudevents+json", e!["contentType"]!.GetValue<string>()));
        // Retries carry only the entry without a status: 3 attempts in all (maxRetries 2).
        var attempts = app.RequestsTo("/bulk");
        Assert.Equal(3, attempts.Count);
        Assert.All(attempts.Skip(1), a => Assert.Equal(3, a.Json!["entries"]!.AsArray().Single()!["event"]!["data"]!["n"]!.GetValue<int>()));
        // DROP and the exhausted entry go to the DLT.
        Assert.Equal([2, 3], app.RequestsTo("/dlq").Select(d => d.Json!["data"]!["n"]!.GetValue<int>()).Order().ToArray());
    }

    [Fact]
    public async Task A_full_batch_is_delivered_without_waiting()
    {
        var clock = new FakeTimeProvider(Start);
        var app = await TestApp.StartAsync(a => a
            .Subscribe("""
                [{"pubsubname":"pubsub","topic":"orders","route":"/bulk",
                  "bulkSubscribe":{"enabled":true,"maxMessagesCount":2,"maxAwaitDurationMs":60000}}]
                """)
            .Respond(r => r.Path == "/bulk" ? TestResponse.Json(new JsonObject
            {
                ["statuses"] = new JsonArray([.. r.Json!["entries"]!.AsArray().Select(e => (JsonNode)new JsonObject { ["entryId"] = e!["entryId"]!.GetValue<string>(), ["status"] = "SUCCESS" })]),
            }.ToJsonString()) : null));
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder().WithPubSub(), new Dictionary<string, TestApp?> { ["orders"] = app }, clock);

        await bed.PublishJsonAsync("orders", "orders", "{\"n\":1}");
        await bed.PublishJsonAsync("orders", "orders", "{\"n\":2}");

        var delivery = (await app.WaitForDeliveriesAsync("/bulk", 1))[0];
        Assert.Equal(2, delivery.Json!["entries"]!.AsArray().Count);
        await bed.WaitForIdleAsync();
        Assert.Single(app.RequestsTo("/bulk"));
    }

    private static string AllSucceeded(RecordedRequest request) => new JsonObject
    {
        ["statuses"] = new JsonArray([.. request.Json!["entries"]!.AsArray().Select(e => (JsonNode)new JsonObject { ["entryId"] = e!["entryId"]!.GetValue<string>(), ["status"] = "SUCCESS" })]),
    }.ToJsonString();

    private static IEnumerable<int> Numbers(RecordedRequest request) =>
        request.Json!["entries"]!.AsArray().Select(e => e!["event"]!["data"]!["n"]!.GetValue<int>()).Order();

    private static Task<TestApp> BulkAppAsync(Func<RecordedRequest, TestResponse?> answer, string deadLetterTopic = "") =>
        TestApp.StartAsync(a => a
            .Subscribe($$$"""
                [{"pubsubname":"pubsub","topic":"orders","route":"/bulk","deadLetterTopic":"{{{deadLetterTopic}}}",
                  "bulkSubscribe":{"enabled":true,"maxMessagesCount":100,"maxAwaitDurationMs":1000}},
                 {"pubsubname":"pubsub","topic":"dlq","route":"/dlq"}]
                """)
            .Respond(r => r.Path == "/bulk" ? answer(r) : null));

    [Fact]
    public async Task A_batch_is_flushed_at_the_next_tick_of_the_subscription_not_a_full_window_after_its_first_message()
    {
        // default_bulksub.go: a time.Ticker of maxAwaitDurationMs started with the subscription.
        var clock = new FakeTimeProvider(Start);
        var app = await BulkAppAsync(r => TestResponse.Json(AllSucceeded(r)));
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder().WithPubSub(), new Dictionary<string, TestApp?> { ["orders"] = app }, clock);

        await bed.AdvanceAsync(TimeSpan.FromMilliseconds(600));
        await bed.PublishJsonAsync("orders", "orders", "{\"n\":1}");
        await bed.Emulator.WaitForClockWorkAsync(includeDeliveries: true, EmulatorTestBed.Deadline);
        Assert.Equal(1, bed.Broker.InBulkWindows);
        Assert.Equal(Start.AddSeconds(1), bed.Broker.NextBulkFlush);

        await bed.AdvanceAsync(TimeSpan.FromMilliseconds(399));
        Assert.Empty(app.RequestsTo("/bulk"));
        await bed.AdvanceAsync(TimeSpan.FromMilliseconds(1));
        await app.WaitForDeliveriesAsync("/bulk", 1);
        await bed.WaitForIdleAsync();
        Assert.Equal(0, bed.Broker.InBulkWindows);
        Assert.Null(bed.Broker.NextBulkFlush);
    }

    [Fact]
    public async Task One_batch_per_subscription_is_in_flight_and_what_arrives_meanwhile_goes_at_once_after_it()
    {
        // default_bulksub.go flushes synchronously; the tick that passed during the flush is kept by Go's ticker.
        var clock = new FakeTimeProvider(Start);
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var app = await BulkAppAsync(r => Interlocked.Increment(ref calls) == 1
            ? new TestResponse(200, AllSucceeded(r)) { WaitBefore = hold.Task }
            : TestResponse.Json(AllSucceeded(r)));
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder().WithPubSub(), new Dictionary<string, TestApp?> { ["orders"] = app }, clock);

        await bed.PublishJsonAsync("orders", "orders", "{\"n\":1}");
        // The first batch stays in delivery across the clock's moves: do not wait for it.
        await bed.AdvanceAsync(TimeSpan.FromSeconds(1), waitForDeliveries: false);
        await app.WaitForDeliveriesAsync("/bulk", 1);
        await bed.PublishJsonAsync("orders", "orders", "{\"n\":2}");
        await bed.PublishJsonAsync("orders", "orders", "{\"n\":3}");
        await bed.AdvanceAsync(TimeSpan.FromSeconds(2), waitForDeliveries: false);
        Assert.Single(app.RequestsTo("/bulk"));

        hold.SetResult();
        var second = (await app.WaitForDeliveriesAsync("/bulk", 2))[1];
        Assert.Equal([2, 3], Numbers(second));
        await bed.WaitForIdleAsync();
        Assert.Equal(2, app.RequestsTo("/bulk").Count);
    }

    [Fact]
    public async Task An_answer_daprd_cannot_decode_retries_every_entry_even_those_it_names_as_success()
    {
        // postman/http DeliverBulk: a decode error of the 2xx body (here one status that is not a string) is RETRY for all.
        var clock = new FakeTimeProvider(Start);
        var calls = 0;
        var app = await BulkAppAsync(r =>
        {
            if (Interlocked.Increment(ref calls) > 1)
            {
                return TestResponse.Json(AllSucceeded(r));
            }

            var ids = r.Json!["entries"]!.AsArray().Select(e => e!["entryId"]!.GetValue<string>()).ToList();
            return TestResponse.Json($$"""{"statuses":[{"entryId":"{{ids[0]}}","status":"SUCCESS"},{"entryId":"{{ids[1]}}","status":7}]}""");
        });
        await using var bed = await EmulatorTestBed.StartAsync(
            new ResourceFolder().WithPubSub().Write("resiliency.yaml", DeliveryOutcomeTests.RetryTwiceEverySecond),
            new Dictionary<string, TestApp?> { ["orders"] = app },
            clock);

        await bed.PublishJsonAsync("orders", "orders", "{\"n\":1}");
        await bed.PublishJsonAsync("orders", "orders", "{\"n\":2}");
        await DeliveryOutcomeTests.DrainAsync(bed);

        var attempts = app.RequestsTo("/bulk");
        Assert.Equal(2, attempts.Count);
        Assert.Equal([1, 2], Numbers(attempts[1]));
    }

    [Theory]
    [InlineData(500, 3, 2)]
    [InlineData(404, 1, 0)]
    public async Task A_failed_answer_retries_every_entry_and_a_404_drops_the_batch_without_dead_letters(int status, int expectedAttempts, int deadLettered)
    {
        var clock = new FakeTimeProvider(Start);
        var app = await BulkAppAsync(_ => new TestResponse(status, "{}"), deadLetterTopic: "dlq");
        await using var bed = await EmulatorTestBed.StartAsync(
            new ResourceFolder().WithPubSub().Write("resiliency.yaml", DeliveryOutcomeTests.RetryTwiceEverySecond),
            new Dictionary<string, TestApp?> { ["orders"] = app },
            clock);

        await bed.PublishJsonAsync("orders", "orders", "{\"n\":1}");
        await bed.PublishJsonAsync("orders", "orders", "{\"n\":2}");
        await DeliveryOutcomeTests.DrainAsync(bed);

        var attempts = app.RequestsTo("/bulk");
        Assert.Equal(expectedAttempts, attempts.Count);
        Assert.All(attempts, a => Assert.Equal([1, 2], Numbers(a)));
        Assert.Equal(deadLettered, app.RequestsTo("/dlq").Count);
    }
}
