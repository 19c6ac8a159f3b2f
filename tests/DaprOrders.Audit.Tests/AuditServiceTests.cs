using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DaprOrders.Audit.Tests.Infrastructure;
using DaprOrders.Contracts;

namespace DaprOrders.Audit.Tests;

public sealed class AuditServiceTests
{
    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path) =>
        await client.PostAsync(path, content: null);

    [Fact]
    public async Task Delivered_events_build_an_ordered_timeline_deduplicated_on_cloudevent_id()
    {
        var (bed, clock) = await AuditService.StartAsync();
        await using var running = bed;
        var client = bed.Client;

        Assert.Equal("SUCCESS", await bed.DeliverAsync("/events/order-created",
            AuditService.CloudEvent("e-1", Topics.OrderCreated, EventTypes.OrderCreated, "o-1")));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("SUCCESS", await bed.DeliverAsync("/events/stock-reserved",
            AuditService.CloudEvent("e-2", Topics.StockReserved, EventTypes.StockReserved, "o-1", source: "inventory")));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("SUCCESS", await bed.DeliverAsync("/events/order-created",
            AuditService.CloudEvent("e-1", Topics.OrderCreated, EventTypes.OrderCreated, "o-1")));

        var timeline = await GetJsonAsync(client, "/audit/orders/o-1");
        Assert.Equal("o-1", timeline.GetProperty("orderId").GetString());
        var events = timeline.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["e-1", "e-2"], events.Select(e => e.GetProperty("id").GetString()));
        var first = events[0];
        Assert.Equal(EventTypes.OrderCreated, first.GetProperty("type").GetString());
        Assert.Equal("ordering", first.GetProperty("source").GetString());
        Assert.Equal("order-created", first.GetProperty("topic").GetString());
        Assert.Equal("event", first.GetProperty("kind").GetString());
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 8, 59, 59, TimeSpan.Zero), first.GetProperty("time").GetDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero), first.GetProperty("receivedAt").GetDateTimeOffset());
        Assert.Equal("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", first.GetProperty("traceParent").GetString());
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", first.GetProperty("traceId").GetString());
        Assert.Equal("c-1", first.GetProperty("data").GetProperty("customerId").GetString());
        Assert.Equal("stock-reserved", events[1].GetProperty("topic").GetString());
    }

    [Fact]
    public async Task Unknown_order_is_a_404_problem()
    {
        var (bed, clock) = await AuditService.StartAsync();
        await using var running = bed;
        var client = bed.Client;

        using var response = await client.GetAsync("/audit/orders/nope");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Recent_events_list_spans_orders_newest_first()
    {
        var (bed, clock) = await AuditService.StartAsync();
        await using var running = bed;
        var client = bed.Client;
        foreach (var (id, order) in new[] { ("e-1", "o-1"), ("e-2", "o-2"), ("e-3", "o-1") })
        {
            await bed.DeliverAsync("/events/payment-succeeded", AuditService.CloudEvent(id, Topics.PaymentSucceeded, EventTypes.PaymentSucceeded, order));
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        // The list is written in the background, in batches (the first may hold e-1 and e-2 only): poll until it holds
        // all three events, then ask for the newest two.
        static string[] Ids(JsonElement view) => [.. view.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString()!)];
        await Eventually.UntilAsync(() => GetJsonAsync(client, "/audit/events?limit=10"), view => Ids(view).Length == 3,
            "the recent-events list to hold all three events");
        var recent = await GetJsonAsync(client, "/audit/events?limit=2");
        Assert.Equal(["e-3", "e-2"], Ids(recent));
        Assert.Equal("o-2", recent.GetProperty("events")[1].GetProperty("orderId").GetString());

        using var bad = await client.GetAsync("/audit/events?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Dead_letter_is_stored_listed_inspectable_and_shown_on_the_timeline()
    {
        var (bed, clock) = await AuditService.StartAsync();
        await using var running = bed;
        var client = bed.Client;
        var original = AuditService.CloudEvent("e-1", Topics.OrderCreated, EventTypes.OrderCreated, "o-1");
        await bed.DeliverAsync("/events/order-created", original);
        clock.Advance(TimeSpan.FromSeconds(1));

        // daprd republishes the original bytes to `deadletters`: topic still says "order-created".
        Assert.Equal("SUCCESS", await bed.DeliverAsync("/events/deadletters", original));

        var list = await GetJsonAsync(client, "/deadletters");
        var summary = Assert.Single(list.EnumerateArray());
        Assert.Equal("e-1", summary.GetProperty("id").GetString());
        Assert.Equal("order-created", summary.GetProperty("topic").GetString());
        Assert.Equal("pubsub", summary.GetProperty("pubsubName").GetString());
        Assert.Equal(EventTypes.OrderCreated, summary.GetProperty("type").GetString());
        Assert.Equal("Pending", summary.GetProperty("status").GetString());
        Assert.Equal(1, summary.GetProperty("attempts").GetInt32());
        Assert.False(summary.TryGetProperty("payload", out _));

        var detail = await GetJsonAsync(client, "/deadletters/e-1");
        JsonAssert.Equal(original, detail.GetProperty("payload").GetRawText());

        var events = (await GetJsonAsync(client, "/audit/orders/o-1")).GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["e-1", "deadletter:e-1:1"], events.Select(e => e.GetProperty("id").GetString()));
        Assert.Equal("dead-lettered", events[1].GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Replay_republishes_the_original_cloudevent_as_passthrough_to_its_original_topic()
    {
        var (bed, clock) = await AuditService.StartAsync();
        await using var running = bed;
        var client = bed.Client;
        var original = AuditService.CloudEvent("e-1", Topics.OrderCreated, EventTypes.OrderCreated, "o-1");
        await bed.DeliverAsync("/events/deadletters", original);

        using var response = await PostAsync(client, "/deadletters/e-1/replay");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Replayed", summary.GetProperty("status").GetString());
        Assert.Equal(1, summary.GetProperty("replays").GetInt32());

        // A passthrough CloudEvent: the subscriber of the original topic gets the original attributes and data (daprd
        // adds only its routing and trace attributes, dapr/dapr v1.17.13 pkg/runtime/pubsub/cloudevents.go).
        var replayed = Assert.Single(await bed.ReplayedToOrderCreatedAsync());
        Assert.Equal("order-created", replayed.GetProperty("topic").GetString());
        foreach (var attribute in new[] { "id", "source", "type", "specversion", "time", "datacontenttype", "x-custom" })
        {
            Assert.Equal(JsonDocument.Parse(original).RootElement.GetProperty(attribute).GetString(), replayed.GetProperty(attribute).GetString());
        }

        JsonAssert.Equal("""{"orderId":"o-1","customerId":"c-1"}""", replayed.GetProperty("data").GetRawText());

        // The replay failed again: the same id comes back as a dead letter.
        clock.Advance(TimeSpan.FromSeconds(5));
        await bed.DeliverAsync("/events/deadletters", original);
        var again = await GetJsonAsync(client, "/deadletters/e-1");
        Assert.Equal("Pending", again.GetProperty("status").GetString());
        Assert.Equal(2, again.GetProperty("attempts").GetInt32());
        Assert.Equal(1, again.GetProperty("replays").GetInt32());
        var ids = (await GetJsonAsync(client, "/audit/orders/o-1")).GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString());
        // Audit subscribes to orders too, so the replay (delivered before the broker went idle) is on the timeline between them.
        Assert.Equal(["deadletter:e-1:1", "e-1", "deadletter:e-1:2"], ids);
    }

    [Fact]
    public async Task Failed_replay_publish_is_a_502_and_leaves_the_dead_letter_pending()
    {
        var (bed, clock) = await AuditService.StartAsync();
        await using var running = bed;
        var client = bed.Client;
        // The dead letter names a pubsub the sidecar does not have: the replay's publish is refused (INVALID_ARGUMENT,
        // dapr/dapr v1.17.13 pkg/api/errors/pubsub.go).
        await bed.DeliverAsync("/events/deadletters", AuditService.CloudEvent("e-1", Topics.OrderCreated, EventTypes.OrderCreated, "o-1", pubsubName: "nopubsub"));

        using var response = await PostAsync(client, "/deadletters/e-1/replay");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Replay could not be published", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var record = await GetJsonAsync(client, "/deadletters/e-1");
        Assert.Equal("Pending", record.GetProperty("status").GetString());
        Assert.Equal(0, record.GetProperty("replays").GetInt32());
    }

    [Fact]
    public async Task Discarded_dead_letters_cannot_be_replayed_and_unknown_ones_are_404()
    {
        var (bed, clock) = await AuditService.StartAsync();
        await using var running = bed;
        var client = bed.Client;
        await bed.DeliverAsync("/events/deadletters", AuditService.CloudEvent("e-1", Topics.OrderCreated, EventTypes.OrderCreated, "o-1"));
        clock.Advance(TimeSpan.FromSeconds(1));
        await bed.DeliverAsync("/events/deadletters", AuditService.CloudEvent("e-2", Topics.OrderCreated, EventTypes.OrderCreated, "o-2"));

        using var discard = await PostAsync(client, "/deadletters/e-1/discard");
        Assert.Equal(HttpStatusCode.OK, discard.StatusCode);
        Assert.Contains("\"status\":\"Discarded\"", await discard.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var discardAgain = await PostAsync(client, "/deadletters/e-1/discard");
        Assert.Equal(HttpStatusCode.OK, discardAgain.StatusCode);

        using var replay = await PostAsync(client, "/deadletters/e-1/replay");
        Assert.Equal(HttpStatusCode.Conflict, replay.StatusCode);
        Assert.Equal("application/problem+json", replay.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await bed.ReplayedToOrderCreatedAsync());

        foreach (var path in new[] { "/deadletters/nope/replay", "/deadletters/nope/discard" })
        {
            using var missing = await PostAsync(client, path);
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        using (var missingGet = await client.GetAsync("/deadletters/nope"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missingGet.StatusCode);
        }

        var all = await GetJsonAsync(client, "/deadletters");
        Assert.Equal(["e-2", "e-1"], all.EnumerateArray().Select(d => d.GetProperty("id").GetString()));
        var pending = await GetJsonAsync(client, "/deadletters?status=pending");
        Assert.Equal(["e-2"], pending.EnumerateArray().Select(d => d.GetProperty("id").GetString()));
        using var badStatus = await client.GetAsync("/deadletters?status=lost");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
    }

    [Fact]
    public async Task Dead_letter_that_is_not_a_cloudevent_with_an_id_is_dropped()
    {
        var (bed, clock) = await AuditService.StartAsync();
        await using var running = bed;
        var client = bed.Client;

        Assert.Equal("DROP", await bed.DeliverAsync("/events/deadletters", """{"type":"x"}"""));
        Assert.Equal("DROP", await bed.DeliverAsync("/events/deadletters", "not json"));
        Assert.Equal("[]", (await GetJsonAsync(client, "/deadletters")).GetRawText());
    }

    [Fact]
    public async Task Every_topic_has_one_default_route_event_topics_are_bulk_and_only_deadletters_has_no_dead_letter_topic()
    {
        var (bed, clock) = await AuditService.StartAsync();
        await using var running = bed;
        var client = bed.Client;

        var subscriptions = (await bed.SubscriptionsAsync()).EnumerateArray()
            .ToDictionary(s => s.GetProperty("topic").GetString()!);
        Assert.Equal([.. Topics.All.Order(StringComparer.Ordinal)], subscriptions.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(12, subscriptions.Count);
        foreach (var (topic, subscription) in subscriptions)
        {
            // The SDK's subscribe handler writes a route without rules as "route", without the leading slash (daprd adds it).
            Assert.Equal($"events/{topic}", subscription.GetProperty("route").GetString());
            Assert.False(subscription.TryGetProperty("routes", out _));
            if (topic == Topics.DeadLetters)
            {
                // Dead letters keep single delivery and no dead-letter topic of their own.
                Assert.False(subscription.TryGetProperty("bulkSubscribe", out _));
                Assert.False(subscription.TryGetProperty("deadLetterTopic", out _));
            }
            else
            {
                var bulk = subscription.GetProperty("bulkSubscribe");
                Assert.True(bulk.GetProperty("enabled").GetBoolean());
                Assert.Equal(100, bulk.GetProperty("maxMessagesCount").GetInt32());
                Assert.Equal(250, bulk.GetProperty("maxAwaitDurationMs").GetInt32());
                Assert.Equal("deadletters", subscription.GetProperty("deadLetterTopic").GetString());
            }
        }
    }

    [Fact]
    public async Task With_bulk_subscribe_off_the_event_topics_take_single_cloudevents()
    {
        var (bed, _) = await AuditService.StartAsync(new Dictionary<string, string?> { ["Audit:BulkSubscribe"] = "false" });
        await using var running = bed;

        Assert.All((await bed.SubscriptionsAsync()).EnumerateArray(), s => Assert.False(s.TryGetProperty("bulkSubscribe", out _)));
        foreach (var (cloudEvent, expected) in new[]
                 {
                     (AuditService.CloudEvent("e-1", Topics.OrderCreated, EventTypes.OrderCreated, "o-1"), "SUCCESS"),
                     (AuditService.CloudEvent("e-1", Topics.OrderCreated, EventTypes.OrderCreated, "o-1"), "SUCCESS"),
                     ("""{"type":"daprorders.order.created.v1","data":{"orderId":"o-1"}}""", "DROP"),
                 })
        {
            using var response = await bed.PostCloudEventAsync("/events/order-created", cloudEvent);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(expected, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
        }

        var ids = (await GetJsonAsync(bed.Client, "/audit/orders/o-1")).GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString());
        Assert.Equal(["e-1"], ids);
    }

    [Fact]
    public async Task Bulk_delivery_appends_a_batch_per_order_in_one_write_and_answers_per_entry()
    {
        var (bed, clock) = await AuditService.StartAsync();
        await using var running = bed;
        var client = bed.Client;

        var bulk = $$"""
            {"id":"b-1","type":"com.dapr.event.sent.bulk","topic":"order-created","pubsubname":"pubsub","metadata":{},
             "entries":[
               {"entryId":"1","event":{{AuditService.CloudEvent("e-1", Topics.OrderCreated, EventTypes.OrderCreated, "o-1")}},"contentType":"application/cloudevents+json"},
               {"entryId":"2","event":{{AuditService.CloudEvent("e-2", Topics.OrderCreated, EventTypes.PaymentRequested, "o-1")}},"contentType":"application/cloudevents+json"},
               {"entryId":"3","event":[1,2],"contentType":"application/cloudevents+json"},
               {"entryId":"4","event":{{AuditService.CloudEvent("e-3", Topics.OrderCreated, EventTypes.OrderCreated, "o-2")}},"contentType":"application/cloudevents+json"},
               {"entryId":"5","event":{{AuditService.CloudEvent("e-1", Topics.OrderCreated, EventTypes.OrderCreated, "o-1")}},"contentType":"application/cloudevents+json"},
               {"entryId":"6","event":"eyJpZCI6ImUtOSJ9","contentType":"application/octet-stream"}]}
            """;
        using var content = new StringContent(bulk, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.Add("dapr-api-token", bed.Options.AppApiToken);
        using var response = await client.PostAsync("/events/order-created", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var statuses = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("statuses").EnumerateArray()
            .ToDictionary(s => s.GetProperty("entryId").GetString()!, s => s.GetProperty("status").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["1"] = "SUCCESS", ["2"] = "SUCCESS", ["3"] = "DROP", ["4"] = "SUCCESS", ["5"] = "SUCCESS", ["6"] = "DROP" },
            statuses);
        // One bulk read and one bulk save for the batch: TimelineWriterTests.
        var ids = (await GetJsonAsync(client, "/audit/orders/o-1")).GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString());
        Assert.Equal(["e-1", "e-2"], ids);
    }

    [Fact]
    public async Task Api_is_described_in_openapi_without_the_sidecar_endpoints()
    {
        var (bed, clock) = await AuditService.StartAsync();
        await using var running = bed;
        var client = bed.Client;

        var paths = (await GetJsonAsync(client, "/openapi/v1.json")).GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["/audit/events", "/audit/orders/{orderId}", "/deadletters", "/deadletters/{id}", "/deadletters/{id}/discard",
            "/deadletters/{id}/replay"], paths.Order());
    }

    [Fact]
    public async Task Service_reads_its_pubsub_from_configuration()
    {
        var (bed, _) = await AuditService.StartAsync(new Dictionary<string, string?> { ["Audit:PubsubName"] = "otherpubsub" });
        await using var running = bed;
        var client = bed.Client;

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        var subscriptions = await bed.SubscriptionsAsync();
        Assert.All(subscriptions.EnumerateArray(), s => Assert.Equal("otherpubsub", s.GetProperty("pubsubName").GetString()));
    }
}
