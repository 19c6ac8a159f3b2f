using System.Text.Json;
using DaprOrders.Sidecar.Tests.Infrastructure;

namespace DaprOrders.Sidecar.Tests;

public sealed class PubSubClientTests : IAsyncLifetime
{
    private RecordingSidecar _sidecar = null!;

    public async Task InitializeAsync() => _sidecar = await RecordingSidecar.StartAsync();

    public async Task DisposeAsync() => await _sidecar.DisposeAsync();

    // Dapr docs: reference/api/pubsub_api#publish-a-message-to-a-given-topic
    [Fact]
    public async Task PublishEventAsync_posts_json_with_exact_application_json_content_type_and_token()
    {
        var client = _sidecar.CreateClient();

        await client.PublishEventAsync("orderpubsub", "orders", new Order(7, 9.5m), TestJsonContext.Default.Order);

        var request = _sidecar.Single();
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1.0/publish/orderpubsub/orders", request.Path);
        Assert.Equal(string.Empty, request.Query);
        // Not text/plain (daprd would turn data into a JSON string) and no charset (copied into datacontenttype).
        Assert.Equal("application/json", request.ContentType);
        Assert.Equal("sidecar-token", request.Header("dapr-api-token"));
        JsonAssert.Equal("""{"orderId":7,"amount":9.5}""", request.Body);
    }

    // Dapr docs: reference/api/pubsub_api#metadata (metadata.cloudevent.*, ttlInSeconds, rawPayload)
    [Fact]
    public async Task PublishEventAsync_sends_options_as_metadata_query_parameters()
    {
        var client = _sidecar.CreateClient();

        await client.PublishEventAsync("orderpubsub", "orders", new Order(7, 1m), TestJsonContext.Default.Order, new PublishOptions
        {
            CloudEventId = "order-7",
            CloudEventType = "com.acme.order.submitted",
            CloudEventSource = "checkout",
            CloudEventSubject = "orders/7",
            TtlInSeconds = 60,
            RawPayload = true,
            Metadata = new Dictionary<string, string> { ["partitionKey"] = "customer 1" },
        });

        var request = _sidecar.Single();
        Assert.Equal(
            "?metadata.cloudevent.id=order-7&metadata.cloudevent.type=com.acme.order.submitted&metadata.cloudevent.source=checkout" +
            "&metadata.cloudevent.subject=orders%2F7&metadata.ttlInSeconds=60&metadata.rawPayload=true&metadata.partitionKey=customer%201",
            request.Query);
    }

    // Dapr docs: reference/api/pubsub_api#publish-a-message-to-a-given-topic (topic is the rest of the path)
    [Fact]
    public async Task Topic_with_slashes_keeps_its_path_segments()
    {
        var client = _sidecar.CreateClient(apiToken: null);

        await client.PublishEventAsync("pubsub", "orders/eu west", "x"u8.ToArray(), "text/plain");

        var request = _sidecar.Single();
        Assert.Equal("/v1.0/publish/pubsub/orders/eu west", request.Path);
        Assert.Equal("text/plain", request.ContentType);
        Assert.Null(request.Header("dapr-api-token"));
        Assert.Equal("x", request.Body);
    }

    // Dapr docs: developing-applications/building-blocks/pubsub/pubsub-cloudevents#publish-your-own-cloudevent
    [Fact]
    public async Task PublishCloudEventAsync_passes_a_structured_event_through()
    {
        var client = _sidecar.CreateClient();
        var cloudEvent = JsonDocument.Parse("""{"specversion":"1.0","id":"a1","source":"checkout","type":"order.submitted","datacontenttype":"application/json","data":{"orderId":1}}""").RootElement;

        await client.PublishCloudEventAsync("orderpubsub", "orders", cloudEvent);

        var request = _sidecar.Single();
        Assert.Equal("/v1.0/publish/orderpubsub/orders", request.Path);
        Assert.Equal("application/cloudevents+json", request.ContentType);
        JsonAssert.Equal(cloudEvent.GetRawText(), request.Body);
    }

    // Dapr docs: reference/api/pubsub_api#publish-a-message-to-a-given-topic (404 ERR_PUBSUB_NOT_FOUND)
    [Fact]
    public async Task Unknown_pubsub_surfaces_the_dapr_error_code()
    {
        _sidecar.RespondWith(ScriptedResponse.DaprError(404, "ERR_PUBSUB_NOT_FOUND", "pubsub orderpubsub is not found"));
        var client = _sidecar.CreateClient();

        var error = await Assert.ThrowsAsync<DaprApiException>(() =>
            client.PublishEventAsync("orderpubsub", "orders", new Order(1, 1m), TestJsonContext.Default.Order));

        Assert.Equal(404, (int)error.StatusCode);
        Assert.Equal("ERR_PUBSUB_NOT_FOUND", error.ErrorCode);
        Assert.Equal("pubsub orderpubsub is not found", error.DaprMessage);
        Assert.Contains("ERR_PUBSUB_NOT_FOUND", error.Message, StringComparison.Ordinal);
    }

    // Dapr docs: reference/api/pubsub_api#publish-a-message-to-a-given-topic (403 ERR_PUBSUB_FORBIDDEN)
    [Fact]
    public async Task Forbidden_topic_keeps_status_and_raw_body()
    {
        const string body = """{"errorCode":"ERR_PUBSUB_FORBIDDEN","message":"topic orders is not allowed for app id checkout","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"DAPR_PUBSUB_FORBIDDEN"}]}""";
        _sidecar.RespondWith(ScriptedResponse.Json(403, body));
        var client = _sidecar.CreateClient();

        var error = await Assert.ThrowsAsync<DaprApiException>(() =>
            client.PublishEventAsync("orderpubsub", "orders", new Order(1, 1m), TestJsonContext.Default.Order));

        Assert.Equal(403, (int)error.StatusCode);
        Assert.Equal("ERR_PUBSUB_FORBIDDEN", error.ErrorCode);
        Assert.Equal(body, error.RawBody);
    }

    // Dapr docs: operations/security/api-token (401 plain text "invalid api token")
    [Fact]
    public async Task Wrong_api_token_gives_a_clear_error()
    {
        _sidecar.RespondWith(new ScriptedResponse(401, "invalid api token", "text/plain"));
        var client = _sidecar.CreateClient(apiToken: "wrong");

        var error = await Assert.ThrowsAsync<DaprApiException>(() =>
            client.PublishEventAsync("orderpubsub", "orders", new Order(1, 1m), TestJsonContext.Default.Order));

        Assert.Equal(401, (int)error.StatusCode);
        Assert.Null(error.ErrorCode);
        Assert.Equal("invalid api token", error.RawBody);
        Assert.Contains("DAPR_API_TOKEN", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", error.Message, StringComparison.Ordinal);
    }

    // Dapr docs: reference/api/pubsub_api#publish-multiple-messages-to-a-given-topic
    [Fact]
    public async Task BulkPublishAsync_posts_entries_to_the_alpha_path()
    {
        var client = _sidecar.CreateClient();
        var entries = new[]
        {
            BulkPublishEntry.Text("e1", "first text"),
            BulkPublishEntry.Json("e2", new Order(2, 3m), TestJsonContext.Default.Order, new Dictionary<string, string> { ["ttlInSeconds"] = "30" }),
            BulkPublishEntry.CloudEvent("e3", JsonDocument.Parse("""{"specversion":"1.0","id":"a","source":"s","type":"t","data":{}}""").RootElement),
        };

        var result = await client.BulkPublishAsync("orderpubsub", "orders", entries, new Dictionary<string, string> { ["rawPayload"] = "false" });

        Assert.True(result.AllSucceeded);
        var request = _sidecar.Single();
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1.0-alpha1/publish/bulk/orderpubsub/orders", request.Path);
        Assert.Equal("?metadata.rawPayload=false", request.Query);
        Assert.Equal("application/json", request.ContentType);
        Assert.Equal("sidecar-token", request.Header("dapr-api-token"));
        JsonAssert.Equal("""
            [{"entryId":"e1","event":"first text","contentType":"text/plain"},
             {"entryId":"e2","event":{"orderId":2,"amount":3},"contentType":"application/json","metadata":{"ttlInSeconds":"30"}},
             {"entryId":"e3","event":{"specversion":"1.0","id":"a","source":"s","type":"t","data":{}},"contentType":"application/cloudevents+json"}]
            """, request.Body);
    }

    // Dapr docs: reference/api/pubsub_api#publish-multiple-messages-to-a-given-topic (500 with failedEntries)
    [Fact]
    public async Task BulkPublishAsync_returns_failed_entries_instead_of_throwing()
    {
        _sidecar.RespondWith(ScriptedResponse.Json(500,
            """{"failedEntries":[{"entryId":"e2","error":"broker unavailable"}],"errorCode":"ERR_PUBSUB_PUBLISH_MESSAGE"}"""));
        var client = _sidecar.CreateClient();

        var result = await client.BulkPublishAsync("orderpubsub", "orders",
            [BulkPublishEntry.Text("e1", "a"), BulkPublishEntry.Text("e2", "b")]);

        Assert.False(result.AllSucceeded);
        var failed = Assert.Single(result.FailedEntries);
        Assert.Equal("e2", failed.EntryId);
        Assert.Equal("broker unavailable", failed.Error);
        Assert.Equal("ERR_PUBSUB_PUBLISH_MESSAGE", result.ErrorCode);
    }

    // Dapr docs: reference/api/pubsub_api#publish-multiple-messages-to-a-given-topic (400 ERR_PUBSUB_EVENTS_SER)
    [Fact]
    public async Task BulkPublishAsync_throws_for_a_rejected_request()
    {
        _sidecar.RespondWith(ScriptedResponse.DaprError(400, "ERR_PUBSUB_EVENTS_SER", "entryId is duplicated"));
        var client = _sidecar.CreateClient();

        var error = await Assert.ThrowsAsync<DaprApiException>(() =>
            client.BulkPublishAsync("orderpubsub", "orders", [BulkPublishEntry.Text("e1", "a"), BulkPublishEntry.Text("e1", "b")]));

        Assert.Equal("ERR_PUBSUB_EVENTS_SER", error.ErrorCode);
        Assert.Equal(400, (int)error.StatusCode);
        Assert.Equal("entryId is duplicated", error.DaprMessage);
    }
}
