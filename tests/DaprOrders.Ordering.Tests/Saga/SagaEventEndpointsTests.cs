using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DaprOrders.Ordering.Saga;
using DaprOrders.Ordering.Tests.Infrastructure;

namespace DaprOrders.Ordering.Tests.Saga;

public sealed class SagaEventEndpointsTests : IAsyncLifetime
{
    private const string OrderId = "0f8fad5b-d9cb-869f-a165-70867728950e";

    private FakeSidecar _sidecar = null!;
    private OrderingApp _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        (_sidecar, _app) = await OrderingApp.StartAsync();
        _client = _app.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        await _sidecar.DisposeAsync();
    }

    [Fact]
    public async Task Every_subscription_has_typed_rules_a_default_route_and_the_dead_letter_topic()
    {
        var subscriptions = JsonNode.Parse(await _client.GetStringAsync("/dapr/subscribe"))!.AsArray();

        Assert.Equal(["inventory", "orders", "payments"], subscriptions.Select(s => (string?)s!["topic"]).Order());
        foreach (var subscription in subscriptions)
        {
            Assert.Equal("pubsub", (string?)subscription!["pubsubname"]);
            Assert.Equal("deadletters", (string?)subscription["deadLetterTopic"]);
            Assert.Equal($"/events/{(string?)subscription["topic"]}", (string?)subscription["routes"]!["default"]);
        }

        var rules = subscriptions.SelectMany(s => s!["routes"]!["rules"]!.AsArray())
            .ToDictionary(r => (string)r!["match"]!, r => (string)r!["path"]!);
        Assert.Equal(new Dictionary<string, string>
        {
            ["event.type == \"daprorders.order.created.v1\""] = "/events/orders/created",
            ["event.type == \"daprorders.stock.reserved.v1\""] = "/events/inventory/reserved",
            ["event.type == \"daprorders.stock.rejected.v1\""] = "/events/inventory/rejected",
            ["event.type == \"daprorders.payment.succeeded.v1\""] = "/events/payments/succeeded",
            ["event.type == \"daprorders.payment.failed.v1\""] = "/events/payments/failed",
        }, rules);
    }

    [Theory]
    [InlineData("/events/orders/created", "daprorders.order.created.v1", nameof(IOrderProcessActor.StartAsync),
        """{"orderId":"0f8fad5b-d9cb-869f-a165-70867728950e","customerId":"c-1","currency":"EUR","lines":[{"sku":"a","quantity":1,"unitPrice":5}],"total":{"amount":5,"currency":"EUR"},"createdAt":"2026-11-23T12:00:00Z"}""")]
    [InlineData("/events/inventory/reserved", "daprorders.stock.reserved.v1", nameof(IOrderProcessActor.OnStockReservedAsync),
        """{"orderId":"0f8fad5b-d9cb-869f-a165-70867728950e","lines":[{"sku":"a","quantity":1}],"reservedAt":"2026-11-23T12:00:00Z"}""")]
    [InlineData("/events/inventory/rejected", "daprorders.stock.rejected.v1", nameof(IOrderProcessActor.OnStockRejectedAsync),
        """{"orderId":"0f8fad5b-d9cb-869f-a165-70867728950e","shortages":[],"rejectedAt":"2026-11-23T12:00:00Z"}""")]
    [InlineData("/events/payments/succeeded", "daprorders.payment.succeeded.v1", nameof(IOrderProcessActor.OnPaymentSucceededAsync),
        """{"orderId":"0f8fad5b-d9cb-869f-a165-70867728950e","paymentId":"p","amount":{"amount":5,"currency":"EUR"},"chargedAt":"2026-11-23T12:00:00Z"}""")]
    [InlineData("/events/payments/failed", "daprorders.payment.failed.v1", nameof(IOrderProcessActor.OnPaymentFailedAsync),
        """{"orderId":"0f8fad5b-d9cb-869f-a165-70867728950e","reason":"no","declineCode":"x","failedAt":"2026-11-23T12:00:00Z"}""")]
    public async Task Events_are_forwarded_to_the_order_actor_through_the_sidecar(string path, string type, string method, string data)
    {
        var status = await DeliverAsync(path, type, data);

        Assert.Equal("SUCCESS", status);
        var call = Assert.Single(_sidecar.RequestsTo("PUT", $"/v1.0/actors/OrderProcess/{OrderId}/method/{method}"));
        // The typed proxy sends JSON: {"value":{"<parameter name>":<event>}}.
        var arguments = call.Json!["value"]!.AsObject();
        Assert.Equal(OrderId, (string?)Assert.Single(arguments).Value!["orderId"]);
    }

    [Theory]
    [InlineData("""{"orderId":"not-an-order","lines":[],"reservedAt":"2026-11-23T12:00:00Z"}""")]
    [InlineData("""{"lines":[],"reservedAt":"2026-11-23T12:00:00Z"}""")]
    [InlineData("\"just a string\"")]
    public async Task Data_that_can_never_be_processed_is_dropped(string data)
    {
        var status = await DeliverAsync("/events/inventory/reserved", "daprorders.stock.reserved.v1", data);

        Assert.Equal("DROP", status);
        Assert.Empty(_sidecar.RequestsTo("PUT", "/v1.0/actors/"));
    }

    [Fact]
    public async Task A_failing_actor_call_asks_daprd_to_retry()
    {
        _sidecar.Intercept = r => r.Path.StartsWith("/v1.0/actors/", StringComparison.Ordinal)
            ? Microsoft.AspNetCore.Http.Results.Json(new { errorCode = "ERR_ACTOR_INVOKE_METHOD", message = "boom" }, statusCode: 500)
            : null;

        using var response = await PostEventAsync("/events/payments/failed", "daprorders.payment.failed.v1",
            $$"""{"orderId":"{{OrderId}}","reason":"no","declineCode":"x","failedAt":"2026-11-23T12:00:00Z"}""");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
    }

    [Theory]
    [InlineData("/events/orders", "daprorders.payment.requested.v1")]
    [InlineData("/events/inventory", "daprorders.stock.released.v1")]
    [InlineData("/events/payments", "daprorders.payment.refunded.v1")]
    public async Task Default_routes_acknowledge_types_the_saga_does_not_need(string path, string type)
    {
        Assert.Equal("SUCCESS", await DeliverAsync(path, type, """{"orderId":"x"}"""));
        Assert.Empty(_sidecar.RequestsTo("PUT", "/v1.0/actors/"));
    }

    private async Task<string?> DeliverAsync(string path, string type, string data)
    {
        using var response = await PostEventAsync(path, type, data);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"];
    }

    private Task<HttpResponseMessage> PostEventAsync(string path, string type, string data)
    {
        var body = $$$"""
            {"id":"ev-1","source":"inventory","type":"{{{type}}}","specversion":"1.0","datacontenttype":"application/json",
             "topic":"t","pubsubname":"pubsub","data":{{{data}}}}
            """;
        return _client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/cloudevents+json"));
    }
}
