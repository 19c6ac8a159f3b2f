using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Dapr.Client.Autogen.Grpc.v1;
using DaprOrders.Ordering.Orders;
using DaprOrders.Ordering.Saga;
using DaprOrders.Ordering.Tests.Infrastructure;
using DaprOrders.Testing;

namespace DaprOrders.Ordering.Tests.Saga;

/// <summary>
/// The actor as daprd drives it: calls through the sidecar's actor API, the deadline reminder fired by the sidecar's
/// clock, with the emulator holding actor state, the order document and reminders, and recording what the actor publishes.
/// </summary>
public sealed class OrderProcessActorTests : IAsyncLifetime
{
    private const string Submission = """{"customerId":"c-1","currency":"EUR","lines":[{"sku":"sku-1","quantity":2,"unitPrice":1999}]}""";

    private const string Deadline = OrderProcessActor.DeadlineReminder;

    private OrderingHost _host = null!;
    private string _orderId = null!;

    public async Task InitializeAsync()
    {
        _host = await OrderingHost.StartAsync(new Dictionary<string, string?> { ["Saga:Deadline"] = "00:00:30" });
        using var content = new StringContent(
            $$$"""{"specversion":"1.0","id":"a-1","source":"/shop","type":"daprorders.order.submitted.v1","data":{{{Submission}}}}""", Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json");
        using var submitted = await _host.Client.PostAsync("/orders", content);
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        _orderId = OrderIdentity.DeriveOrderId("/shop", "a-1");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_happy_path_reserves_requests_payment_and_completes()
    {
        await CallAsync(nameof(IOrderProcessActor.StartAsync), CreatedEvent());
        Assert.Equal("Reserving", await StatusAsync());
        var reminder = _host.Reminder(_orderId, Deadline);
        Assert.NotNull(reminder);
        Assert.Equal("0h0m30s0ms", reminder.DueTime);
        Assert.Equal("", reminder.Period); // one-shot: the SDK writes no period for an infinite one

        await CallAsync(nameof(IOrderProcessActor.OnStockReservedAsync), $$"""{"orderId":"{{_orderId}}","lines":[{"sku":"sku-1","quantity":2}],"reservedAt":"2026-11-23T12:00:01Z"}""");
        Assert.Equal("AwaitingPayment", await StatusAsync());
        var paymentRequested = Assert.Single(await PublishedAsync("daprorders.payment.requested.v1"));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"amount":3998,"currency":"EUR"}"""), paymentRequested["amount"]));
        // Registered once, at the start.
        Assert.Same(reminder, _host.Reminder(_orderId, Deadline));

        await CallAsync(nameof(IOrderProcessActor.OnPaymentSucceededAsync), $$"""{"orderId":"{{_orderId}}","paymentId":"p-1","amount":{"amount":3998,"currency":"EUR"},"chargedAt":"2026-11-23T12:00:02Z"}""");
        Assert.Equal("Completed", await StatusAsync());
        Assert.Single(await PublishedAsync("daprorders.order.completed.v1"));
        Assert.Null(_host.Reminder(_orderId, Deadline));

        var order = (await _host.StateAsync($"order-{_orderId}"))!;
        Assert.Equal(["Submitted", "Reserving", "AwaitingPayment", "Completed"], order["history"]!.AsArray().Select(h => (string?)h!["status"]));
        // The saga's saves keep the document's shape: camelCase members, optional ones omitted rather than null.
        Assert.False(order.AsObject().ContainsKey("cancellationReason"), order.ToJsonString());
        Assert.All(order["history"]!.AsArray(), h => Assert.Equal(["at", "status"], h!.AsObject().Select(m => m.Key).Order(StringComparer.Ordinal)));
        Assert.Equal("Completed", (string?)(await _host.ActorStateAsync(_orderId, OrderProcessActor.StateName))!["status"]);
    }

    [Fact]
    public async Task Redelivery_and_events_after_the_end_change_nothing()
    {
        await CallAsync(nameof(IOrderProcessActor.StartAsync), CreatedEvent());
        var reminder = _host.Reminder(_orderId, Deadline);
        await CallAsync(nameof(IOrderProcessActor.StartAsync), CreatedEvent());
        // A repeated start registers nothing again.
        Assert.NotNull(reminder);
        Assert.Same(reminder, _host.Reminder(_orderId, Deadline));
        await CallAsync(nameof(IOrderProcessActor.OnStockRejectedAsync), $$"""{"orderId":"{{_orderId}}","shortages":[{"sku":"sku-1","requested":2,"available":0}],"rejectedAt":"2026-11-23T12:00:01Z"}""");
        await CallAsync(nameof(IOrderProcessActor.OnStockRejectedAsync), $$"""{"orderId":"{{_orderId}}","shortages":[{"sku":"sku-1","requested":2,"available":0}],"rejectedAt":"2026-11-23T12:00:01Z"}""");
        await CallAsync(nameof(IOrderProcessActor.OnPaymentSucceededAsync), $$"""{"orderId":"{{_orderId}}","paymentId":"p-1","amount":{"amount":3998,"currency":"EUR"},"chargedAt":"2026-11-23T12:00:02Z"}""");
        await RemindAsync();

        Assert.Null(_host.Reminder(_orderId, Deadline));
        var cancelled = Assert.Single(await PublishedAsync("daprorders.order.cancelled.v1"));
        Assert.Equal("out-of-stock", (string?)cancelled["reason"]);
        Assert.Empty(await PublishedAsync("daprorders.order.completed.v1"));
        var order = (await _host.StateAsync($"order-{_orderId}"))!;
        Assert.Equal(("Cancelled", "out-of-stock"), ((string?)order["status"], (string?)order["cancellationReason"]));
    }

    [Fact]
    public async Task The_deadline_cancels_an_unfinished_order()
    {
        await CallAsync(nameof(IOrderProcessActor.StartAsync), CreatedEvent());
        // The sidecar fires the reminder when it is due.
        await _host.AdvanceClockAsync(TimeSpan.FromSeconds(30));

        var cancelled = Assert.Single(await PublishedAsync("daprorders.order.cancelled.v1"));
        Assert.Equal("deadline-exceeded", (string?)cancelled["reason"]);
        Assert.Equal("Cancelled", await StatusAsync());
        var last = (await _host.StateAsync($"order-{_orderId}"))!["history"]!.AsArray()[^1]!;
        Assert.Equal("deadline-exceeded", (string?)last["reason"]);
    }

    [Fact]
    public async Task An_event_that_overtakes_order_created_starts_the_saga_from_the_stored_order()
    {
        await CallAsync(nameof(IOrderProcessActor.OnStockReservedAsync), $$"""{"orderId":"{{_orderId}}","lines":[{"sku":"sku-1","quantity":2}],"reservedAt":"2026-11-23T12:00:01Z"}""");
        var reminder = _host.Reminder(_orderId, Deadline);
        await CallAsync(nameof(IOrderProcessActor.StartAsync), CreatedEvent());

        Assert.Equal("AwaitingPayment", await StatusAsync());
        Assert.NotNull(reminder);
        Assert.Same(reminder, _host.Reminder(_orderId, Deadline));
        Assert.Single(await PublishedAsync("daprorders.payment.requested.v1"));
    }

    [Fact]
    public async Task A_stored_outcome_from_a_failed_turn_wins_over_a_later_decision()
    {
        await CallAsync(nameof(IOrderProcessActor.StartAsync), CreatedEvent());
        await CallAsync(nameof(IOrderProcessActor.OnStockReservedAsync), $$"""{"orderId":"{{_orderId}}","lines":[{"sku":"sku-1","quantity":2}],"reservedAt":"2026-11-23T12:00:01Z"}""");
        // A payment turn recorded Completed on the document, then failed before publishing and saving its state.
        var order = (await _host.StateAsync($"order-{_orderId}"))!;
        order["status"] = "Completed";
        order["history"]!.AsArray().Add(JsonNode.Parse("""{"status":"Completed","at":"2026-11-23T12:00:02+00:00"}"""));
        await _host.SetStateAsync($"order-{_orderId}", order);

        // The deadline comes due.
        await _host.AdvanceClockAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(await PublishedAsync("daprorders.order.cancelled.v1"));
        Assert.Single(await PublishedAsync("daprorders.order.completed.v1"));
        Assert.Equal("Completed", await StatusAsync());
        Assert.Equal("Completed", (string?)(await _host.ActorStateAsync(_orderId, OrderProcessActor.StateName))!["status"]);
    }

    [Fact]
    public async Task A_repeated_event_publishes_nothing_again_also_after_the_actor_was_deactivated()
    {
        var steps = new (string Method, string Body, string Status)[]
        {
            (nameof(IOrderProcessActor.StartAsync), CreatedEvent(), "Reserving"),
            (nameof(IOrderProcessActor.OnStockReservedAsync), StockReserved, "AwaitingPayment"),
            (nameof(IOrderProcessActor.OnPaymentSucceededAsync), PaymentSucceeded, "Completed"),
        };
        foreach (var (method, body, status) in steps)
        {
            await CallAsync(method, body);
            var reminder = _host.Reminder(_orderId, Deadline);
            // Repeated while the actor is active, then again by a fresh activation that knows only what is stored.
            await CallAsync(method, body);
            await DeactivateAsync();
            await CallAsync(method, body);

            Assert.Equal(status, await StatusAsync());
            Assert.Same(reminder, _host.Reminder(_orderId, Deadline));
        }

        Assert.Single(await PublishedAsync("daprorders.payment.requested.v1"));
        Assert.Single(await PublishedAsync("daprorders.order.completed.v1"));
        var history = (await _host.StateAsync($"order-{_orderId}"))!["history"]!.AsArray();
        Assert.Equal(["Submitted", "Reserving", "AwaitingPayment", "Completed"], history.Select(h => (string?)h!["status"]));
    }

    [Fact]
    public async Task A_turn_that_fails_after_recording_the_status_announces_on_redelivery()
    {
        await CallAsync(nameof(IOrderProcessActor.StartAsync), CreatedEvent());

        var steps = new (string Method, string Body, string Status, string Announced)[]
        {
            (nameof(IOrderProcessActor.OnStockReservedAsync), StockReserved, "AwaitingPayment", "daprorders.payment.requested.v1"),
            (nameof(IOrderProcessActor.OnPaymentSucceededAsync), PaymentSucceeded, "Completed", "daprorders.order.completed.v1"),
        };
        foreach (var (method, body, status, announced) in steps)
        {
            // The status is stored, the publish fails; the redelivered event, met by a fresh activation, publishes.
            await CallFailingAsync(method, body, call => call.Path == OrderingHost.PublishEvent);
            Assert.Equal(status, await StatusAsync());
            Assert.Empty(await PublishedAsync(announced));
            await DeactivateAsync();
            await CallAsync(method, body);
            Assert.Single(await PublishedAsync(announced));
        }

        Assert.Single(await PublishedAsync("daprorders.payment.requested.v1"));
        Assert.Null(_host.Reminder(_orderId, Deadline));
        Assert.Equal("Completed", (string?)(await _host.ActorStateAsync(_orderId, OrderProcessActor.StateName))!["status"]);
    }

    [Fact]
    public async Task A_status_write_that_loses_the_etag_race_reads_again_and_converges()
    {
        var key = $"order-{_orderId}";
        var submitted = (await _host.StateAsync(key))!;
        var raced = false;
        // Another writer saves the order after the start read it, just before the start's own write reaches the store.
        _host.Faults.FailWhen = call =>
        {
            if (!raced && call.Path == "/dapr.proto.runtime.v1.Dapr/SaveState"
                && OrderingHost.GrpcMessage(call, SaveStateRequest.Parser).States.Any(state => state.Key == key))
            {
                raced = true;
                _host.SetStateAsync(key, submitted).GetAwaiter().GetResult();
            }

            return false;
        };

        var earlier = _host.Faults.Calls.Count;
        await CallAsync(nameof(IOrderProcessActor.StartAsync), CreatedEvent());
        _host.Faults.FailWhen = null;
        var start = _host.Faults.Calls.Skip(earlier).ToList();

        Assert.True(raced);
        Assert.Equal("Reserving", await StatusAsync());
        Assert.Equal(["Submitted", "Reserving"], (await _host.StateAsync(key))!["history"]!.AsArray().Select(h => (string?)h!["status"]));
        // The refused write was followed by one fresh read and one accepted write.
        Assert.Equal(2, start.Count(c => c.Path == OrderingHost.GetState && OrderingHost.GrpcMessage(c, GetStateRequest.Parser).Key == key));
        Assert.Equal(2, start.Count(c => c.Path == "/dapr.proto.runtime.v1.Dapr/SaveState"
            && OrderingHost.GrpcMessage(c, SaveStateRequest.Parser).States.Any(state => state.Key == key)));
    }

    [Fact]
    public async Task Events_for_an_order_that_does_not_exist_are_ignored()
    {
        const string unknown = "0f8fad5b-d9cb-869f-a165-70867728950e";

        using var response = await _host.InvokeActorAsync(unknown, nameof(IOrderProcessActor.OnPaymentFailedAsync),
            $$"""{"orderId":"{{unknown}}","reason":"declined","declineCode":"do-not-honor","failedAt":"2026-11-23T12:00:01Z"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(_host.Faults.CallsTo(OrderingHost.PublishEvent));
        Assert.Null(await _host.ActorStateAsync(unknown, OrderProcessActor.StateName));
    }

    private string StockReserved =>
        $$"""{"orderId":"{{_orderId}}","lines":[{"sku":"sku-1","quantity":2}],"reservedAt":"2026-11-23T12:00:01Z"}""";

    private string PaymentSucceeded =>
        $$"""{"orderId":"{{_orderId}}","paymentId":"p-1","amount":{"amount":3998,"currency":"EUR"},"chargedAt":"2026-11-23T12:00:02Z"}""";

    private string CreatedEvent() =>
        $$"""{"orderId":"{{_orderId}}","customerId":"c-1","currency":"EUR","lines":[{"sku":"sku-1","quantity":2,"unitPrice":1999}],"total":{"amount":3998,"currency":"EUR"},"createdAt":"2026-11-23T12:00:00Z"}""";

    private async Task CallAsync(string method, string body)
    {
        using var response = await _host.InvokeActorAsync(_orderId, method, body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Calls <paramref name="method"/> with every sidecar call that <paramref name="fails"/> picks failing; the turn must fail.</summary>
    private async Task CallFailingAsync(string method, string body, Func<SidecarCall, bool> fails)
    {
        var failed = false;
        _host.Faults.FailWhen = call => fails(call) && (failed = true);
        try
        {
            // Straight to the app's actor route, as daprd's one attempt: the sidecar's own retries would wait on the virtual clock.
            using var response = await _host.SendAsSidecarAsync(HttpMethod.Put, $"/actors/OrderProcess/{_orderId}/method/{method}", body);
            Assert.True(failed, $"{method} made no call that was to fail");
            Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        }
        finally
        {
            _host.Faults.FailWhen = null;
        }
    }

    /// <summary>daprd deactivating the idle actor: the next call meets a fresh instance that knows only what is stored.</summary>
    private async Task DeactivateAsync()
    {
        using var response = await _host.SendAsSidecarAsync(HttpMethod.Delete, $"/actors/OrderProcess/{_orderId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>
    /// The deadline reminder firing now, as daprd calls the app's route when it is due, also after the reminder was
    /// unregistered (a fire that raced the deletion). The actor is active in the sidecar, which serves its state writes.
    /// </summary>
    private async Task RemindAsync()
    {
        using var response = await _host.SendAsSidecarAsync(HttpMethod.Put, $"/actors/OrderProcess/{_orderId}/method/remind/{Deadline}",
            """{"dueTime":"","period":""}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<string?> StatusAsync() => (string?)(await _host.StateAsync($"order-{_orderId}"))?["status"];

    /// <summary>The data of the events of <paramref name="type"/> the saga published on <c>orders</c>.</summary>
    private async Task<IReadOnlyList<JsonNode>> PublishedAsync(string type) =>
        [.. (await _host.PublishedAsync(type)).Select(e => JsonNode.Parse(e.GetProperty("data").GetRawText())!)];
}
