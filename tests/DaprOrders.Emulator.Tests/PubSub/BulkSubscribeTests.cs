using System.Text.Json.Nodes;
using DaprOrders.Emulator.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace DaprOrders.Emulator.Tests.PubSub;

// Wire notes 2.7: bulk subscribe (daprd's default bulk subscriber: maxMessagesCount / maxAwaitDurationMs).
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
}
