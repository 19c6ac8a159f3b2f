using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using DaprOrders.Sidecar.AppCallbacks;
using DaprOrders.Sidecar.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.Sidecar.Tests;

public sealed class SubscriptionTests : IAsyncLifetime
{
    // A delivery exactly as daprd forwards the publisher's envelope (Go JSON: sorted keys, numbers preserved).
    private const string OrderEnvelope = """
        {"data":{"amount":9.50,"orderId":1},"datacontenttype":"application/json","id":"5929aaac-a5e2-4ca1-859c-edfe73f11565",
         "pubsubname":"orderpubsub","source":"checkout","specversion":"1.0","time":"2025-03-01T10:00:00Z",
         "topic":"orders","traceid":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
         "traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
         "tracestate":"","type":"com.dapr.event.sent","tenant":"eu"}
        """;

    private readonly ConcurrentQueue<object> _received = new();
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _app = await TestApp.StartAsync(
            builder => builder.Services.AddDaprSidecar(o => o.HttpEndpoint = new Uri("http://127.0.0.1:1")),
            app =>
            {
                app.MapPost("/events/orders", (CloudEvent<Order> e) => Record(e, TopicResponse.Success()))
                    .WithTopic("orderpubsub", "orders", deadLetterTopic: "orders-dlq");
                app.MapPost("/events/orders/cancelled", (CloudEvent<Order> e) => Record(e, TopicResponse.Drop()))
                    .WithTopic("orderpubsub", "orders", match: "event.type == \"order.cancelled\"", priority: 0);
                app.MapPost("/events/orders/large", (CloudEvent<Order> e) => Record(e, TopicResponse.Retry()))
                    .WithTopic("orderpubsub", "orders", match: "event.data.amount > 100", priority: 1);
                app.MapPost("/events/payments", (CloudEvent<byte[]> e) => Record(e, TopicResponse.Success()))
                    .WithTopic(new TopicSubscription("orderpubsub", "payments")
                    {
                        Metadata = new Dictionary<string, string> { ["rawPayload"] = "true" },
                    });
                app.MapPost("/events/failing", (CloudEvent<Order> e) => ThrowingHandler(e))
                    .WithTopic("orderpubsub", "failing");
                app.MapPost("/events/plain", (CloudEvent<string> e) => Record(e, Results.Ok()))
                    .WithTopic("otherpubsub", "plain");
                app.MapPost("/events/bulk", (BulkCloudEvents<Order> batch) =>
                    {
                        _received.Enqueue(batch);
                        return new BulkTopicResponse(batch.Entries
                            .Select(e => new BulkTopicEntryStatus(e.EntryId, e.Event is null ? TopicStatus.Drop : TopicStatus.Success))
                            .ToList());
                    })
                    .WithTopic(new TopicSubscription("orderpubsub", "bulk-orders")
                    {
                        BulkSubscribe = new BulkSubscribeOptions(MaxMessagesCount: 50, MaxAwaitDurationMs: 500),
                    });
                app.MapGroup("/grouped").MapPost("/shipments", (CloudEvent<Order> e) => Record(e, TopicResponse.Success()))
                    .WithTopic("orderpubsub", "shipments");
                app.MapDaprSubscribeHandler();
            });
        _http = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
    }

    // Dapr docs: reference/api/pubsub_api#provide-a-route-for-dapr-to-discover-topic-subscriptions (v2 routes)
    [Fact]
    public async Task Dapr_subscribe_lists_v2_subscriptions_with_rules_by_priority_default_and_dead_letter_topic()
    {
        using var response = await _http.GetAsync(new Uri("/dapr/subscribe", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        JsonAssert.Equal("""
            [
             {"pubsubname":"orderpubsub","topic":"bulk-orders","routes":{"default":"/events/bulk"},
              "bulkSubscribe":{"enabled":true,"maxMessagesCount":50,"maxAwaitDurationMs":500}},
             {"pubsubname":"orderpubsub","topic":"failing","routes":{"default":"/events/failing"}},
             {"pubsubname":"orderpubsub","topic":"orders",
              "routes":{"rules":[{"match":"event.type == \"order.cancelled\"","path":"/events/orders/cancelled"},
                                 {"match":"event.data.amount > 100","path":"/events/orders/large"}],
                        "default":"/events/orders"},
              "deadLetterTopic":"orders-dlq"},
             {"pubsubname":"orderpubsub","topic":"payments","routes":{"default":"/events/payments"},"metadata":{"rawPayload":"true"}},
             {"pubsubname":"orderpubsub","topic":"shipments","routes":{"default":"/grouped/shipments"}},
             {"pubsubname":"otherpubsub","topic":"plain","routes":{"default":"/events/plain"}}
            ]
            """, await response.Content.ReadAsStringAsync());
    }

    // Dapr docs: reference/api/pubsub_api#provide-routes-for-dapr-to-deliver-topic-events (structured CloudEvent)
    [Fact]
    public async Task Structured_cloud_event_is_unwrapped_into_typed_data_and_answered_SUCCESS()
    {
        using var response = await DeliverAsync("/events/orders", OrderEnvelope);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonAssert.Equal("""{"status":"SUCCESS"}""", await response.Content.ReadAsStringAsync());
        var e = Assert.IsType<CloudEvent<Order>>(Assert.Single(_received));
        Assert.Equal(new Order(1, 9.50m), e.Data);
        Assert.Equal("5929aaac-a5e2-4ca1-859c-edfe73f11565", e.Id);
        Assert.Equal("com.dapr.event.sent", e.Type);
        Assert.Equal("checkout", e.Source);
        Assert.Equal("1.0", e.SpecVersion);
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 10, 0, 0, TimeSpan.Zero), e.Time);
        Assert.Equal("application/json", e.DataContentType);
        Assert.Equal(("orders", "orderpubsub"), (e.Topic, e.PubsubName));
        Assert.Equal("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", e.TraceParent);
        Assert.Equal(string.Empty, e.TraceState);
        Assert.Equal("eu", e.Extensions.GetProperty("tenant").GetString());
        Assert.Equal("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", e.Extensions.GetProperty("traceid").GetString());
        Assert.False(e.Extensions.TryGetProperty("data", out _));
    }

    // Dapr docs: developing-applications/building-blocks/pubsub/pubsub-raw#receiving-raw-messages (data_base64)
    [Fact]
    public async Task Data_base64_is_decoded_to_bytes()
    {
        var payload = "raw bytes \u0001"u8.ToArray();
        var envelope = $$"""
            {"id":"r1","specversion":"1.0","datacontenttype":"application/octet-stream","source":"Dapr","type":"com.dapr.event.sent",
             "topic":"payments","pubsubname":"orderpubsub","data_base64":"{{Convert.ToBase64String(payload)}}"}
            """;

        using var response = await DeliverAsync("/events/payments", envelope);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var e = Assert.IsType<CloudEvent<byte[]>>(Assert.Single(_received));
        Assert.Equal(payload, e.Data);
        Assert.Equal("application/octet-stream", e.DataContentType);
    }

    // Dapr docs: developing-applications/building-blocks/pubsub/pubsub-cloudevents (data_base64 holding JSON)
    [Fact]
    public async Task Data_base64_holding_json_deserializes_into_the_target_type()
    {
        var json = Convert.ToBase64String("""{"orderId":4,"amount":1}"""u8.ToArray());
        using var response = await DeliverAsync("/events/orders", $$"""{"id":"b","specversion":"1.0","data_base64":"{{json}}"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Order(4, 1m), Assert.IsType<CloudEvent<Order>>(Assert.Single(_received)).Data);
    }

    // Dapr docs: developing-applications/building-blocks/pubsub/pubsub-cloudevents (text/plain publisher ⇒ data is a JSON string)
    [Fact]
    public async Task Json_published_as_text_is_still_read_into_the_target_type()
    {
        using var response = await DeliverAsync("/events/orders",
            """{"id":"t","specversion":"1.0","datacontenttype":"text/plain","data":"{\"orderId\":5,\"amount\":2}"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Order(5, 2m), Assert.IsType<CloudEvent<Order>>(Assert.Single(_received)).Data);
    }

    // Dapr docs: reference/api/pubsub_api#provide-routes-for-dapr-to-deliver-topic-events (string data)
    [Fact]
    public async Task Text_data_binds_to_string()
    {
        using var response = await DeliverAsync("/events/plain",
            """{"id":"t","specversion":"1.0","datacontenttype":"text/plain","data":"hello"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello", Assert.IsType<CloudEvent<string>>(Assert.Single(_received)).Data);
    }

    // Dapr docs: reference/api/pubsub_api#expected-http-response (RETRY / DROP, upper-case)
    [Theory]
    [InlineData("/events/orders/large", "RETRY")]
    [InlineData("/events/orders/cancelled", "DROP")]
    public async Task Handler_outcome_is_written_as_an_upper_case_status(string path, string status)
    {
        using var response = await DeliverAsync(path, OrderEnvelope);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"status":"STATUS"}""".Replace("STATUS", status, StringComparison.Ordinal), await response.Content.ReadAsStringAsync());
    }

    // Dapr docs: reference/api/pubsub_api#expected-http-response (non-2xx other than 404 ⇒ retry)
    [Fact]
    public async Task Handler_exception_answers_500_problem_details_which_daprd_retries()
    {
        using var response = await DeliverAsync("/events/failing", OrderEnvelope);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(500, problem.GetProperty("status").GetInt32());
        Assert.DoesNotContain("secret detail", problem.GetRawText(), StringComparison.Ordinal);
    }

    // Dapr docs: reference/api/pubsub_api#expected-http-response (DROP: never retried, dead-lettered)
    [Theory]
    [InlineData("not json at all")]
    [InlineData("[1,2,3]")]
    [InlineData("""{"id":"x","specversion":"1.0","data":{"orderId":"not-a-number"}}""")]
    public async Task Malformed_delivery_is_answered_DROP_because_a_retry_could_never_succeed(string body)
    {
        using var response = await DeliverAsync("/events/orders", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonAssert.Equal("""{"status":"DROP"}""", await response.Content.ReadAsStringAsync());
        Assert.Empty(_received);
    }

    // Dapr docs: developing-applications/building-blocks/pubsub/pubsub-bulk#subscribing-messages-in-bulk
    [Fact]
    public async Task Bulk_delivery_binds_entries_and_answers_per_entry_statuses()
    {
        var rawEntry = Convert.ToBase64String("""{"orderId":9,"amount":3}"""u8.ToArray());
        var body = $$$"""
            {"id":"batch-1","type":"com.dapr.event.sent.bulk","topic":"bulk-orders","pubsubname":"orderpubsub","metadata":{"k":"v"},
             "entries":[
               {"entryId":"e1","event":{{{OrderEnvelope}}},"metadata":{},"contentType":"application/cloudevents+json"},
               {"entryId":"e2","event":{"id":"x","specversion":"1.0","data":{"orderId":"bad"}},"contentType":"application/cloudevents+json"},
               {"entryId":"e3","event":"{{{rawEntry}}}","contentType":"application/octet-stream"}]}
            """;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/events/bulk")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonAssert.Equal("""{"statuses":[{"entryId":"e1","status":"SUCCESS"},{"entryId":"e2","status":"DROP"},{"entryId":"e3","status":"SUCCESS"}]}""",
            await response.Content.ReadAsStringAsync());
        var batch = Assert.IsType<BulkCloudEvents<Order>>(Assert.Single(_received));
        Assert.Equal(("batch-1", "bulk-orders", "orderpubsub"), (batch.Id, batch.Topic, batch.PubsubName));
        Assert.Equal(new Order(1, 9.5m), batch.Entries[0].Event!.Data);
        Assert.NotNull(batch.Entries[1].Error);
        Assert.Equal(new Order(9, 3m), batch.Entries[2].Event!.Data);
    }

    // Dapr docs: developing-applications/building-blocks/pubsub/howto-route-messages (one default route per subscription)
    [Fact]
    public void Two_default_routes_for_one_topic_are_rejected_with_a_clear_error()
    {
        var builder = WebApplication.CreateSlimBuilder();
        var app = builder.Build();
        app.MapPost("/a", () => TopicResponse.Success()).WithTopic("p", "t");
        app.MapPost("/b", () => TopicResponse.Success()).WithTopic("p", "t");
        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints);

        var error = Assert.Throws<InvalidOperationException>(() => SubscriptionDiscovery.Build(endpoints));

        Assert.Contains("/a", error.Message, StringComparison.Ordinal);
        Assert.Contains("/b", error.Message, StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> DeliverAsync(string path, string body)
    {
        // As daprd delivers: always POST, structured mode, Pubsubname header, traceparent of a child span.
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/cloudevents+json"),
        };
        request.Headers.Add("Pubsubname", "orderpubsub");
        request.Headers.Add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-01");
        return _http.SendAsync(request);
    }

    private IResult Record(object e, IResult result)
    {
        _received.Enqueue(e);
        return result;
    }

    private static IResult ThrowingHandler(CloudEvent<Order> e) =>
        throw new InvalidOperationException($"secret detail for {e.Id}");
}
