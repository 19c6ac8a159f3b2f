using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DaprOrders.Ordering.Orders;
using DaprOrders.Ordering.Saga;
using DaprOrders.Ordering.Tests.Infrastructure;

namespace DaprOrders.Ordering.Tests.Saga;

public sealed class OrderingSubscriptionsTests : IAsyncLifetime
{
    /// <summary>Stands for the id of the order the test submitted, in the inline event data.</summary>
    private const string OrderIdPlaceholder = "0f8fad5b-d9cb-869f-a165-70867728950e";

    private OrderingHost _host = null!;
    private string _orderId = null!;

    public async Task InitializeAsync()
    {
        _host = await OrderingHost.StartAsync();
        // The forwarded events reach the actor for real, so they need an order to act on.
        using var content = new StringContent(
            """{"specversion":"1.0","id":"s-1","source":"/shop","type":"daprorders.order.submitted.v1","data":{"customerId":"c-1","currency":"EUR","lines":[{"sku":"a","quantity":1,"unitPrice":5}]}}""",
            Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json");
        using var submitted = await _host.Client.PostAsync("/orders", content);
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        _orderId = OrderIdentity.DeriveOrderId("/shop", "s-1");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Subscribes_only_to_the_topics_that_move_the_saga_one_rule_each()
    {
        using var response = await _host.SendAsSidecarAsync(HttpMethod.Get, "/dapr/subscribe");
        var subscriptions = TypedSubscriptions.Read(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);

        // Not stock-released nor payment-refunded, nor its own announcements: daprd never delivers those to Ordering.
        Assert.Equal(new Dictionary<string, (string, string)>
        {
            ["order-created"] = (TypedSubscriptions.Match("daprorders.order.created.v1"), "events/orders/created"),
            ["stock-reserved"] = (TypedSubscriptions.Match("daprorders.stock.reserved.v1"), "events/inventory/reserved"),
            ["stock-rejected"] = (TypedSubscriptions.Match("daprorders.stock.rejected.v1"), "events/inventory/rejected"),
            ["payment-succeeded"] = (TypedSubscriptions.Match("daprorders.payment.succeeded.v1"), "events/payments/succeeded"),
            ["payment-failed"] = (TypedSubscriptions.Match("daprorders.payment.failed.v1"), "events/payments/failed"),
        }, subscriptions);
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
        var status = await DeliverAsync(path, type, data.Replace(OrderIdPlaceholder, _orderId, StringComparison.Ordinal));

        Assert.Equal("SUCCESS", status);
        var call = Assert.Single(_host.Faults.CallsTo($"/v1.0/actors/OrderProcess/{_orderId}/method/{method}"));
        // The typed proxy sends JSON: {"value":{"<parameter name>":<event>}}.
        var arguments = JsonNode.Parse(call.Body)!["value"]!.AsObject();
        Assert.Equal(_orderId, (string?)Assert.Single(arguments).Value!["orderId"]);
    }

    [Theory]
    [InlineData("""{"orderId":"not-an-order","lines":[],"reservedAt":"2026-11-23T12:00:00Z"}""")]
    [InlineData("""{"lines":[],"reservedAt":"2026-11-23T12:00:00Z"}""")]
    [InlineData("\"just a string\"")]
    public async Task Data_that_can_never_be_processed_is_dropped(string data)
    {
        var status = await DeliverAsync("/events/inventory/reserved", "daprorders.stock.reserved.v1", data);

        Assert.Equal("DROP", status);
        Assert.Empty(_host.Faults.CallsTo("/v1.0/actors/"));
    }

    [Fact]
    public async Task A_failing_actor_call_asks_daprd_to_retry()
    {
        _host.Faults.FailWhen = call => call.Path.StartsWith("/v1.0/actors/", StringComparison.Ordinal);

        using var response = await PostEventAsync("/events/payments/failed", "daprorders.payment.failed.v1",
            $$"""{"orderId":"{{_orderId}}","reason":"no","declineCode":"x","failedAt":"2026-11-23T12:00:00Z"}""");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
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
        return _host.PostCloudEventAsync(path, body);
    }
}
