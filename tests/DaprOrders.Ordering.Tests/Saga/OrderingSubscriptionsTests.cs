using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr.Client.Autogen.Grpc.v1;
using DaprOrders.Ordering.Orders;
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
        // The events move the saga for real, so they need an order to act on.
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

        // Not stock-released nor payment-refunded, nor its own announcements (order.created included): daprd never
        // delivers those to Ordering.
        Assert.Equal(new Dictionary<string, (string, string)>
        {
            ["stock-reserved"] = (TypedSubscriptions.Match("daprorders.stock.reserved.v1"), "events/inventory/reserved"),
            ["stock-rejected"] = (TypedSubscriptions.Match("daprorders.stock.rejected.v1"), "events/inventory/rejected"),
            ["payment-succeeded"] = (TypedSubscriptions.Match("daprorders.payment.succeeded.v1"), "events/payments/succeeded"),
            ["payment-failed"] = (TypedSubscriptions.Match("daprorders.payment.failed.v1"), "events/payments/failed"),
        }, subscriptions);
    }

    [Theory]
    [InlineData("/events/inventory/reserved", "daprorders.stock.reserved.v1", "AwaitingPayment",
        """{"orderId":"0f8fad5b-d9cb-869f-a165-70867728950e","lines":[{"sku":"a","quantity":1}],"reservedAt":"2026-11-23T12:00:00Z"}""")]
    [InlineData("/events/inventory/rejected", "daprorders.stock.rejected.v1", "Cancelled",
        """{"orderId":"0f8fad5b-d9cb-869f-a165-70867728950e","shortages":[],"rejectedAt":"2026-11-23T12:00:00Z"}""")]
    [InlineData("/events/payments/succeeded", "daprorders.payment.succeeded.v1", "Submitted",
        """{"orderId":"0f8fad5b-d9cb-869f-a165-70867728950e","paymentId":"p","amount":{"amount":5,"currency":"EUR"},"chargedAt":"2026-11-23T12:00:00Z"}""")]
    [InlineData("/events/payments/failed", "daprorders.payment.failed.v1", "Submitted",
        """{"orderId":"0f8fad5b-d9cb-869f-a165-70867728950e","reason":"no","declineCode":"x","failedAt":"2026-11-23T12:00:00Z"}""")]
    public async Task Events_run_the_saga_turn_in_the_handler_without_an_actor(string path, string type, string status, string data)
    {
        var answer = await DeliverAsync(path, type, data.Replace(OrderIdPlaceholder, _orderId, StringComparison.Ordinal));

        Assert.Equal("SUCCESS", answer);
        // Payment results before stock is reserved fit no step and leave the order as it is.
        Assert.Equal(status, (string?)(await _host.StateAsync($"order-{_orderId}"))!["status"]);
        Assert.DoesNotContain(_host.Faults.CallsTo("/v1.0/actors/"), c => !c.Path.Contains("/reminders/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"orderId":"not-an-order","lines":[],"reservedAt":"2026-11-23T12:00:00Z"}""")]
    [InlineData("""{"lines":[],"reservedAt":"2026-11-23T12:00:00Z"}""")]
    [InlineData("\"just a string\"")]
    public async Task Data_that_can_never_be_processed_is_dropped(string data)
    {
        var earlier = _host.Faults.Calls.Count;

        var status = await DeliverAsync("/events/inventory/reserved", "daprorders.stock.reserved.v1", data);

        Assert.Equal("DROP", status);
        // No order was read: the turn never ran.
        Assert.DoesNotContain(_host.Faults.Calls.Skip(earlier), c => c.Path == OrderingHost.GetState
            && OrderingHost.GrpcMessage(c, GetStateRequest.Parser).Key.StartsWith("order-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failing_sidecar_call_asks_daprd_to_retry()
    {
        _host.Faults.FailWhen = call => call.Path == OrderingHost.GetState;

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
