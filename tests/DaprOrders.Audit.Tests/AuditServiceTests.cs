using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DaprOrders.Audit.Tests.Infrastructure;
using DaprOrders.Contracts;

namespace DaprOrders.Audit.Tests;

public sealed class AuditServiceTests : IAsyncLifetime
{
    private FakeSidecar _sidecar = null!;

    public async Task InitializeAsync() => _sidecar = await FakeSidecar.StartAsync();

    public async Task DisposeAsync() => await _sidecar.DisposeAsync();

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static bool IsTimelineSave(RecordedRequest request, string orderId) =>
        request is { Method: "POST", Path: "/v1.0/state/statestore" } &&
        request.Body.Contains($"audit-timeline-{orderId}", StringComparison.Ordinal);

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path) =>
        await client.PostAsync(path, content: null);

    [Fact]
    public async Task Delivered_events_build_an_ordered_timeline_deduplicated_on_cloudevent_id()
    {
        await using var app = new AuditApp(_sidecar);
        using var client = app.CreateClient();

        Assert.Equal("SUCCESS", await AuditApp.DeliverAsync(client, "/events/orders",
            AuditApp.CloudEvent("e-1", Topics.Orders, EventTypes.OrderCreated, "o-1")));
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("SUCCESS", await AuditApp.DeliverAsync(client, "/events/inventory",
            AuditApp.CloudEvent("e-2", Topics.Inventory, EventTypes.StockReserved, "o-1", source: "inventory")));
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("SUCCESS", await AuditApp.DeliverAsync(client, "/events/orders",
            AuditApp.CloudEvent("e-1", Topics.Orders, EventTypes.OrderCreated, "o-1")));

        var timeline = await GetJsonAsync(client, "/audit/orders/o-1");
        Assert.Equal("o-1", timeline.GetProperty("orderId").GetString());
        var events = timeline.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["e-1", "e-2"], events.Select(e => e.GetProperty("id").GetString()));
        var first = events[0];
        Assert.Equal(EventTypes.OrderCreated, first.GetProperty("type").GetString());
        Assert.Equal("ordering", first.GetProperty("source").GetString());
        Assert.Equal("orders", first.GetProperty("topic").GetString());
        Assert.Equal("event", first.GetProperty("kind").GetString());
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 8, 59, 59, TimeSpan.Zero), first.GetProperty("time").GetDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero), first.GetProperty("receivedAt").GetDateTimeOffset());
        Assert.Equal("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", first.GetProperty("traceParent").GetString());
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", first.GetProperty("traceId").GetString());
        Assert.Equal("c-1", first.GetProperty("data").GetProperty("customerId").GetString());
        Assert.Equal("inventory", events[1].GetProperty("topic").GetString());
    }

    [Fact]
    public async Task Unknown_order_is_a_404_problem()
    {
        await using var app = new AuditApp(_sidecar);
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/audit/orders/nope");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Recent_events_list_spans_orders_newest_first()
    {
        await using var app = new AuditApp(_sidecar);
        using var client = app.CreateClient();
        foreach (var (id, order) in new[] { ("e-1", "o-1"), ("e-2", "o-2"), ("e-3", "o-1") })
        {
            await AuditApp.DeliverAsync(client, "/events/payments", AuditApp.CloudEvent(id, Topics.Payments, EventTypes.PaymentSucceeded, order));
            app.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        // The list is written in the background, in batches: poll until it caught up.
        static string[] Ids(JsonElement view) => [.. view.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString()!)];
        var recent = await Eventually.UntilAsync(() => GetJsonAsync(client, "/audit/events?limit=2"), view => Ids(view).Length == 2,
            "the recent-events list to hold two events");
        Assert.Equal(["e-3", "e-2"], Ids(recent));
        Assert.Equal("o-2", recent.GetProperty("events")[1].GetProperty("orderId").GetString());

        using var bad = await client.GetAsync("/audit/events?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task An_etag_conflict_is_retried_and_the_entry_still_lands()
    {
        await using var app = new AuditApp(_sidecar);
        using var client = app.CreateClient();
        var conflicts = 2;
        _sidecar.Intercept = r => r.Method == "POST" && r.Path == "/v1.0/state/statestore" &&
                                  r.Body.Contains("audit-timeline-o-1", StringComparison.Ordinal) && conflicts-- > 0
            ? ScriptedResponse.DaprError(409, "ERR_STATE_SAVE", "possible etag mismatch")
            : null;

        Assert.Equal("SUCCESS", await AuditApp.DeliverAsync(client, "/events/orders",
            AuditApp.CloudEvent("e-1", Topics.Orders, EventTypes.OrderCreated, "o-1")));

        Assert.Equal(3, _sidecar.Requests.Count(r => IsTimelineSave(r, "o-1")));
        Assert.Single((await GetJsonAsync(client, "/audit/orders/o-1")).GetProperty("events").EnumerateArray());
    }

    [Fact]
    public async Task Endless_etag_conflicts_end_in_retry_after_a_bounded_number_of_attempts()
    {
        await using var app = new AuditApp(_sidecar, new Dictionary<string, string?> { ["Audit:MaxConcurrencyAttempts"] = "3" });
        using var client = app.CreateClient();
        _sidecar.Intercept = r => IsTimelineSave(r, "o-1")
            ? ScriptedResponse.DaprError(409, "ERR_STATE_SAVE", "possible etag mismatch")
            : null;

        Assert.Equal("RETRY", await AuditApp.DeliverAsync(client, "/events/orders",
            AuditApp.CloudEvent("e-1", Topics.Orders, EventTypes.OrderCreated, "o-1")));
        Assert.Equal(3, _sidecar.Requests.Count(r => IsTimelineSave(r, "o-1")));
    }

    [Fact]
    public async Task Dead_letter_is_stored_listed_inspectable_and_shown_on_the_timeline()
    {
        await using var app = new AuditApp(_sidecar);
        using var client = app.CreateClient();
        var original = AuditApp.CloudEvent("e-1", Topics.Orders, EventTypes.OrderCreated, "o-1");
        await AuditApp.DeliverAsync(client, "/events/orders", original);
        app.Clock.Advance(TimeSpan.FromSeconds(1));

        // daprd republishes the original bytes to `deadletters`: topic still says "orders".
        Assert.Equal("SUCCESS", await AuditApp.DeliverAsync(client, "/events/deadletters", original));

        var list = await GetJsonAsync(client, "/deadletters");
        var summary = Assert.Single(list.EnumerateArray());
        Assert.Equal("e-1", summary.GetProperty("id").GetString());
        Assert.Equal("orders", summary.GetProperty("topic").GetString());
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
        await using var app = new AuditApp(_sidecar, new Dictionary<string, string?> { ["DAPR_API_TOKEN"] = "sidecar-token" });
        using var client = app.CreateClient();
        var original = AuditApp.CloudEvent("e-1", Topics.Inventory, EventTypes.StockReserved, "o-1", source: "inventory");
        await AuditApp.DeliverAsync(client, "/events/deadletters", original);

        using var response = await PostAsync(client, "/deadletters/e-1/replay");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Replayed", summary.GetProperty("status").GetString());
        Assert.Equal(1, summary.GetProperty("replays").GetInt32());

        var publish = Assert.Single(_sidecar.Publishes);
        Assert.Equal("/v1.0/publish/pubsub/inventory", publish.Path);
        Assert.Equal("", publish.Query);
        Assert.Equal("application/cloudevents+json", publish.ContentType);
        Assert.Equal("sidecar-token", publish.Headers["dapr-api-token"]);
        JsonAssert.Equal("""
            {"data":{"orderId":"o-1","customerId":"c-1"},"datacontenttype":"application/json","id":"e-1","source":"inventory",
             "specversion":"1.0","time":"2026-11-23T08:59:59Z","type":"daprorders.stock.reserved.v1","x-custom":"kept"}
            """, publish.Body);

        // The replay failed again: the same id comes back as a dead letter.
        app.Clock.Advance(TimeSpan.FromSeconds(5));
        await AuditApp.DeliverAsync(client, "/events/deadletters", original);
        var again = await GetJsonAsync(client, "/deadletters/e-1");
        Assert.Equal("Pending", again.GetProperty("status").GetString());
        Assert.Equal(2, again.GetProperty("attempts").GetInt32());
        Assert.Equal(1, again.GetProperty("replays").GetInt32());
        var ids = (await GetJsonAsync(client, "/audit/orders/o-1")).GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString());
        Assert.Equal(["deadletter:e-1:1", "deadletter:e-1:2"], ids);
    }

    [Fact]
    public async Task Failed_replay_publish_is_a_502_and_leaves_the_dead_letter_pending()
    {
        await using var app = new AuditApp(_sidecar);
        using var client = app.CreateClient();
        await AuditApp.DeliverAsync(client, "/events/deadletters", AuditApp.CloudEvent("e-1", Topics.Orders, EventTypes.OrderCreated, "o-1"));
        _sidecar.Intercept = r => r.Path.StartsWith("/v1.0/publish/", StringComparison.Ordinal)
            ? ScriptedResponse.DaprError(403, "ERR_PUBSUB_FORBIDDEN", "topic orders is not allowed for app id audit")
            : null;

        using var response = await PostAsync(client, "/deadletters/e-1/replay");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("ERR_PUBSUB_FORBIDDEN", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var record = await GetJsonAsync(client, "/deadletters/e-1");
        Assert.Equal("Pending", record.GetProperty("status").GetString());
        Assert.Equal(0, record.GetProperty("replays").GetInt32());
    }

    [Fact]
    public async Task Discarded_dead_letters_cannot_be_replayed_and_unknown_ones_are_404()
    {
        await using var app = new AuditApp(_sidecar);
        using var client = app.CreateClient();
        await AuditApp.DeliverAsync(client, "/events/deadletters", AuditApp.CloudEvent("e-1", Topics.Orders, EventTypes.OrderCreated, "o-1"));
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        await AuditApp.DeliverAsync(client, "/events/deadletters", AuditApp.CloudEvent("e-2", Topics.Orders, EventTypes.OrderCreated, "o-2"));

        using var discard = await PostAsync(client, "/deadletters/e-1/discard");
        Assert.Equal(HttpStatusCode.OK, discard.StatusCode);
        Assert.Contains("\"status\":\"Discarded\"", await discard.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var discardAgain = await PostAsync(client, "/deadletters/e-1/discard");
        Assert.Equal(HttpStatusCode.OK, discardAgain.StatusCode);

        using var replay = await PostAsync(client, "/deadletters/e-1/replay");
        Assert.Equal(HttpStatusCode.Conflict, replay.StatusCode);
        Assert.Equal("application/problem+json", replay.Content.Headers.ContentType?.MediaType);
        Assert.Empty(_sidecar.Publishes);

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
        await using var app = new AuditApp(_sidecar);
        using var client = app.CreateClient();

        Assert.Equal("DROP", await AuditApp.DeliverAsync(client, "/events/deadletters", """{"type":"x"}"""));
        Assert.Equal("DROP", await AuditApp.DeliverAsync(client, "/events/deadletters", "not json"));
        Assert.DoesNotContain(_sidecar.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task Every_topic_has_one_default_route_and_only_deadletters_has_no_dead_letter_topic()
    {
        await using var app = new AuditApp(_sidecar);
        using var client = app.CreateClient();

        var subscriptions = (await GetJsonAsync(client, "/dapr/subscribe")).EnumerateArray()
            .ToDictionary(s => s.GetProperty("topic").GetString()!);
        Assert.Equal(["deadletters", "inventory", "notifications", "orders", "payments"], subscriptions.Keys.Order());
        foreach (var (topic, subscription) in subscriptions)
        {
            Assert.Equal($"/events/{topic}", subscription.GetProperty("routes").GetProperty("default").GetString());
            Assert.False(subscription.GetProperty("routes").TryGetProperty("rules", out _));
            Assert.False(subscription.TryGetProperty("bulkSubscribe", out _));
            if (topic == Topics.DeadLetters)
            {
                Assert.False(subscription.TryGetProperty("deadLetterTopic", out _));
            }
            else
            {
                Assert.Equal("deadletters", subscription.GetProperty("deadLetterTopic").GetString());
            }
        }
    }

    [Fact]
    public async Task Bulk_delivery_appends_a_batch_per_order_in_one_write_and_answers_per_entry()
    {
        await using var app = new AuditApp(_sidecar, new Dictionary<string, string?> { ["Audit:BulkSubscribe"] = "true" });
        using var client = app.CreateClient();

        var subscriptions = await GetJsonAsync(client, "/dapr/subscribe");
        var orders = subscriptions.EnumerateArray().Single(s => s.GetProperty("topic").GetString() == "orders");
        Assert.True(orders.GetProperty("bulkSubscribe").GetProperty("enabled").GetBoolean());
        var deadLetters = subscriptions.EnumerateArray().Single(s => s.GetProperty("topic").GetString() == "deadletters");
        Assert.False(deadLetters.TryGetProperty("bulkSubscribe", out _));

        var bulk = $$"""
            {"id":"b-1","type":"com.dapr.event.sent.bulk","topic":"orders","pubsubname":"pubsub","metadata":{},
             "entries":[
               {"entryId":"1","event":{{AuditApp.CloudEvent("e-1", Topics.Orders, EventTypes.OrderCreated, "o-1")}},"contentType":"application/cloudevents+json"},
               {"entryId":"2","event":{{AuditApp.CloudEvent("e-2", Topics.Orders, EventTypes.PaymentRequested, "o-1")}},"contentType":"application/cloudevents+json"},
               {"entryId":"3","event":[1,2],"contentType":"application/cloudevents+json"},
               {"entryId":"4","event":{{AuditApp.CloudEvent("e-3", Topics.Orders, EventTypes.OrderCreated, "o-2")}},"contentType":"application/cloudevents+json"}]}
            """;
        using var content = new StringContent(bulk, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync("/events/orders", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var statuses = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("statuses").EnumerateArray()
            .ToDictionary(s => s.GetProperty("entryId").GetString()!, s => s.GetProperty("status").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["1"] = "SUCCESS", ["2"] = "SUCCESS", ["3"] = "DROP", ["4"] = "SUCCESS" }, statuses);
        Assert.Single(_sidecar.Requests, r => IsTimelineSave(r, "o-1"));
        var ids = (await GetJsonAsync(client, "/audit/orders/o-1")).GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString());
        Assert.Equal(["e-1", "e-2"], ids);
    }

    [Fact]
    public async Task Api_is_described_in_openapi_without_the_sidecar_endpoints()
    {
        await using var app = new AuditApp(_sidecar);
        using var client = app.CreateClient();

        var paths = (await GetJsonAsync(client, "/openapi/v1.json")).GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["/audit/events", "/audit/orders/{orderId}", "/deadletters", "/deadletters/{id}", "/deadletters/{id}/discard",
            "/deadletters/{id}/replay"], paths.Order());
    }

    [Fact]
    public async Task Service_starts_on_kestrel_with_settings_from_configuration()
    {
        await using var app = new AuditApp(_sidecar, new Dictionary<string, string?> { ["Audit:PubsubName"] = "otherpubsub" });
        app.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        var subscriptions = await GetJsonAsync(client, "/dapr/subscribe");
        Assert.All(subscriptions.EnumerateArray(), s => Assert.Equal("otherpubsub", s.GetProperty("pubsubname").GetString()));
    }
}
