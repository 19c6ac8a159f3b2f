using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DaprOrders.Ordering.Orders;
using DaprOrders.Ordering.Saga;
using DaprOrders.Ordering.Tests.Infrastructure;

namespace DaprOrders.Ordering.Tests.Saga;

/// <summary>
/// The actor as daprd drives it: calls on the app's actor routes, with the fake sidecar holding actor state, the
/// order document, reminders and publishes.
/// </summary>
public sealed class OrderProcessActorTests : IAsyncLifetime
{
    private const string Submission = """{"customerId":"c-1","currency":"EUR","lines":[{"sku":"sku-1","quantity":2,"unitPrice":1999}]}""";

    private FakeSidecar _sidecar = null!;
    private OrderingApp _app = null!;
    private HttpClient _client = null!;
    private string _orderId = null!;

    public async Task InitializeAsync()
    {
        (_sidecar, _app) = await OrderingApp.StartAsync(new Dictionary<string, string?> { ["Saga:Deadline"] = "00:00:30" });
        _client = _app.CreateClient();
        using var content = new StringContent(
            $$$"""{"specversion":"1.0","id":"a-1","source":"/shop","type":"daprorders.order.submitted.v1","data":{{{Submission}}}}""", Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json");
        using var submitted = await _client.PostAsync("/orders", content);
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        _orderId = OrderIdentity.DeriveOrderId("/shop", "a-1");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        await _sidecar.DisposeAsync();
    }

    [Fact]
    public async Task The_happy_path_reserves_requests_payment_and_completes()
    {
        await CallAsync(nameof(IOrderProcessActor.StartAsync), CreatedEvent());
        Assert.Equal("Reserving", Status());
        var reminder = Assert.Single(_sidecar.RequestsTo("PUT", $"/v1.0/actors/OrderProcess/{_orderId}/reminders/deadline"));
        Assert.Equal("0h0m30s0ms", (string?)reminder.Json!["dueTime"]);
        Assert.Equal("", (string?)reminder.Json!["period"]); // one-shot: the SDK writes no period for an infinite one

        await CallAsync(nameof(IOrderProcessActor.OnStockReservedAsync), $$"""{"orderId":"{{_orderId}}","lines":[{"sku":"sku-1","quantity":2}],"reservedAt":"2026-11-23T12:00:01Z"}""");
        Assert.Equal("AwaitingPayment", Status());
        var paymentRequested = Assert.Single(Published("daprorders.payment.requested.v1"));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"amount":3998,"currency":"EUR"}"""), paymentRequested.Json!["amount"]));

        await CallAsync(nameof(IOrderProcessActor.OnPaymentSucceededAsync), $$"""{"orderId":"{{_orderId}}","paymentId":"p-1","amount":{"amount":3998,"currency":"EUR"},"chargedAt":"2026-11-23T12:00:02Z"}""");
        Assert.Equal("Completed", Status());
        Assert.Single(Published("daprorders.order.completed.v1"));
        Assert.Single(_sidecar.RequestsTo("DELETE", $"/v1.0/actors/OrderProcess/{_orderId}/reminders/deadline"));

        var order = _sidecar.State($"order-{_orderId}")!;
        Assert.Equal(["Submitted", "Reserving", "AwaitingPayment", "Completed"], order["history"]!.AsArray().Select(h => (string?)h!["status"]));
        Assert.Equal("Completed", (string?)_sidecar.State($"OrderProcess||{_orderId}||saga")!["status"]);
    }

    [Fact]
    public async Task Redelivery_and_events_after_the_end_change_nothing()
    {
        await CallAsync(nameof(IOrderProcessActor.StartAsync), CreatedEvent());
        await CallAsync(nameof(IOrderProcessActor.StartAsync), CreatedEvent());
        await CallAsync(nameof(IOrderProcessActor.OnStockRejectedAsync), $$"""{"orderId":"{{_orderId}}","shortages":[{"sku":"sku-1","requested":2,"available":0}],"rejectedAt":"2026-11-23T12:00:01Z"}""");
        await CallAsync(nameof(IOrderProcessActor.OnStockRejectedAsync), $$"""{"orderId":"{{_orderId}}","shortages":[{"sku":"sku-1","requested":2,"available":0}],"rejectedAt":"2026-11-23T12:00:01Z"}""");
        await CallAsync(nameof(IOrderProcessActor.OnPaymentSucceededAsync), $$"""{"orderId":"{{_orderId}}","paymentId":"p-1","amount":{"amount":3998,"currency":"EUR"},"chargedAt":"2026-11-23T12:00:02Z"}""");
        await RemindAsync();

        Assert.Single(_sidecar.RequestsTo("PUT", $"/v1.0/actors/OrderProcess/{_orderId}/reminders/deadline"));
        var cancelled = Assert.Single(Published("daprorders.order.cancelled.v1"));
        Assert.Equal("out-of-stock", (string?)cancelled.Json!["reason"]);
        Assert.Empty(Published("daprorders.order.completed.v1"));
        var order = _sidecar.State($"order-{_orderId}")!;
        Assert.Equal(("Cancelled", "out-of-stock"), ((string?)order["status"], (string?)order["cancellationReason"]));
    }

    [Fact]
    public async Task The_deadline_cancels_an_unfinished_order()
    {
        await CallAsync(nameof(IOrderProcessActor.StartAsync), CreatedEvent());
        _app.Clock.Advance(TimeSpan.FromSeconds(30));

        await RemindAsync();

        var cancelled = Assert.Single(Published("daprorders.order.cancelled.v1"));
        Assert.Equal("deadline-exceeded", (string?)cancelled.Json!["reason"]);
        Assert.Equal("Cancelled", Status());
        var last = _sidecar.State($"order-{_orderId}")!["history"]!.AsArray()[^1]!;
        Assert.Equal("deadline-exceeded", (string?)last["reason"]);
    }

    [Fact]
    public async Task An_event_that_overtakes_order_created_starts_the_saga_from_the_stored_order()
    {
        await CallAsync(nameof(IOrderProcessActor.OnStockReservedAsync), $$"""{"orderId":"{{_orderId}}","lines":[{"sku":"sku-1","quantity":2}],"reservedAt":"2026-11-23T12:00:01Z"}""");
        await CallAsync(nameof(IOrderProcessActor.StartAsync), CreatedEvent());

        Assert.Equal("AwaitingPayment", Status());
        Assert.Single(_sidecar.RequestsTo("PUT", $"/v1.0/actors/OrderProcess/{_orderId}/reminders/deadline"));
        Assert.Single(Published("daprorders.payment.requested.v1"));
    }

    [Fact]
    public async Task A_stored_outcome_from_a_failed_turn_wins_over_a_later_decision()
    {
        await CallAsync(nameof(IOrderProcessActor.StartAsync), CreatedEvent());
        await CallAsync(nameof(IOrderProcessActor.OnStockReservedAsync), $$"""{"orderId":"{{_orderId}}","lines":[{"sku":"sku-1","quantity":2}],"reservedAt":"2026-11-23T12:00:01Z"}""");
        // A payment turn recorded Completed on the document, then failed before publishing and saving its state.
        var order = _sidecar.State($"order-{_orderId}")!;
        order["status"] = "Completed";
        order["history"]!.AsArray().Add(JsonNode.Parse("""{"status":"Completed","at":"2026-11-23T12:00:02+00:00"}"""));
        _sidecar.SetState($"order-{_orderId}", order.ToJsonString());

        await RemindAsync();

        Assert.Empty(Published("daprorders.order.cancelled.v1"));
        Assert.Single(Published("daprorders.order.completed.v1"));
        Assert.Equal("Completed", Status());
        Assert.Equal("Completed", (string?)_sidecar.State($"OrderProcess||{_orderId}||saga")!["status"]);
    }

    [Fact]
    public async Task Events_for_an_order_that_does_not_exist_are_ignored()
    {
        const string unknown = "0f8fad5b-d9cb-869f-a165-70867728950e";

        using var response = await _client.PutAsync($"/actors/OrderProcess/{unknown}/method/{nameof(IOrderProcessActor.OnPaymentFailedAsync)}",
            Json($$"""{"orderId":"{{unknown}}","reason":"declined","declineCode":"do-not-honor","failedAt":"2026-11-23T12:00:01Z"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(_sidecar.RequestsTo("POST", "/v1.0/publish/"));
        Assert.Null(_sidecar.State($"OrderProcess||{unknown}||saga"));
    }

    private string CreatedEvent() =>
        $$"""{"orderId":"{{_orderId}}","customerId":"c-1","currency":"EUR","lines":[{"sku":"sku-1","quantity":2,"unitPrice":1999}],"total":{"amount":3998,"currency":"EUR"},"createdAt":"2026-11-23T12:00:00Z"}""";

    private async Task CallAsync(string method, string body)
    {
        using var response = await _client.PutAsync($"/actors/OrderProcess/{_orderId}/method/{method}", Json(body));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private async Task RemindAsync()
    {
        using var response = await _client.PutAsync($"/actors/OrderProcess/{_orderId}/method/remind/deadline",
            Json("""{"dueTime":"","period":""}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private string? Status() => (string?)_sidecar.State($"order-{_orderId}")?["status"];

    private IReadOnlyList<SidecarRequest> Published(string type) =>
        _sidecar.RequestsTo("POST", "/v1.0/publish/pubsub/orders")
            .Where(r => r.Query.Contains($"metadata.cloudevent.type={Uri.EscapeDataString(type)}", StringComparison.Ordinal))
            .ToList();

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
