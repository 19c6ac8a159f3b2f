using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr.Client.Autogen.Grpc.v1;
using DaprOrders.Ordering.Orders;
using DaprOrders.Ordering.Saga;
using DaprOrders.Ordering.Tests.Infrastructure;
using DaprOrders.Testing;

namespace DaprOrders.Ordering.Tests.Saga;

/// <summary>
/// The saga's turns as daprd drives them: events delivered to the subscription endpoints, the deadline reminder
/// armed by the intake and fired by the sidecar's clock, with the emulator holding the order document and the
/// reminders and recording what the service publishes.
/// </summary>
public sealed class OrderSagaTurnTests : IAsyncLifetime
{
    private const string Submission = """{"customerId":"c-1","currency":"EUR","lines":[{"sku":"sku-1","quantity":2,"unitPrice":1999}]}""";

    private const string Deadline = OrderDeadline.ReminderName;
    private const string SaveState = "/dapr.proto.runtime.v1.Dapr/SaveState";

    private const string PaymentRequested = "daprorders.payment.requested.v1";
    private const string OrderCompleted = "daprorders.order.completed.v1";
    private const string OrderCancelled = "daprorders.order.cancelled.v1";

    private OrderingHost _host = null!;
    private string _orderId = null!;

    public async Task InitializeAsync()
    {
        _host = await OrderingHost.StartAsync(new Dictionary<string, string?> { ["Saga:Deadline"] = "00:00:30" });
        _orderId = await SubmitAsync("a-1", Submission);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_happy_path_requests_payment_and_completes_with_one_stable_event_id_each()
    {
        // Armed by the intake: due after Saga:Deadline, then again every minute until deleted.
        var reminder = _host.Reminder(_orderId, Deadline);
        Assert.NotNull(reminder);
        Assert.Equal(("0h0m30s0ms", "0h1m0s0ms"), (reminder.DueTime, reminder.Period));
        Assert.Equal("Submitted", await StatusAsync());

        Assert.Equal("SUCCESS", await DeliverAsync(Reserved));
        Assert.Equal("AwaitingPayment", await StatusAsync());
        var paymentRequested = Assert.Single(await PublishedAsync(PaymentRequested));
        Assert.Equal($"payment-requested-{_orderId}", (string?)paymentRequested["id"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"amount":3998,"currency":"EUR"}"""), paymentRequested["data"]!["amount"]));
        Assert.Same(reminder, _host.Reminder(_orderId, Deadline));

        Assert.Equal("SUCCESS", await DeliverAsync(Paid));
        Assert.Equal("Completed", await StatusAsync());
        Assert.Equal($"order-completed-{_orderId}", (string?)Assert.Single(await PublishedAsync(OrderCompleted))["id"]);
        Assert.Null(_host.Reminder(_orderId, Deadline));

        var order = (await _host.StateAsync($"order-{_orderId}"))!;
        Assert.Equal(["Submitted", "AwaitingPayment", "Completed"], order["history"]!.AsArray().Select(h => (string?)h!["status"]));
        // The saga's saves keep the document's shape: camelCase members, optional ones omitted rather than null.
        Assert.False(order.AsObject().ContainsKey("cancellationReason"), order.ToJsonString());
        Assert.All(order["history"]!.AsArray(), h => Assert.Equal(["at", "status"], h!.AsObject().Select(m => m.Key).Order(StringComparer.Ordinal)));
        // No actor was called or activated for any of it.
        Assert.DoesNotContain(_host.Faults.CallsTo("/v1.0/actors/OrderProcess/"), c => !c.Path.EndsWith("/reminders/" + Deadline, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_intake_arms_the_deadline_before_its_transaction_and_a_repeat_or_a_clash_arms_nothing()
    {
        var earlier = _host.Faults.Calls.Count;
        var orderId = await SubmitAsync("a-2", Submission);
        var calls = OrderCalls(earlier, orderId);

        Assert.Equal([OrderingHost.GetState, $"/v1.0/actors/OrderProcess/{orderId}/reminders/{Deadline}", OrderingHost.ExecuteStateTransaction], calls);
        Assert.NotNull(_host.Reminder(orderId, Deadline));

        earlier = _host.Faults.Calls.Count;
        Assert.Equal(orderId, await SubmitAsync("a-2", Submission));
        using (var clash = await PostAsync("a-2", """{"customerId":"c-2","currency":"EUR","lines":[{"sku":"sku-1","quantity":1,"unitPrice":1}]}"""))
        {
            Assert.Equal(HttpStatusCode.Conflict, clash.StatusCode);
        }

        Assert.DoesNotContain(_host.Faults.Calls.Skip(earlier), c => c.Path.Contains("/reminders/", StringComparison.Ordinal));
        Assert.DoesNotContain(OrderingHost.ExecuteStateTransaction, _host.Faults.Calls.Skip(earlier).Select(c => c.Path));
    }

    [Fact]
    public async Task A_deadline_the_sidecar_does_not_take_stores_no_order()
    {
        var transactions = _host.Faults.CallsTo(OrderingHost.ExecuteStateTransaction).Count;
        _host.Faults.FailWhen = call => call.Path.Contains("/reminders/", StringComparison.Ordinal);
        using var response = await PostAsync("a-3", Submission);
        _host.Faults.FailWhen = null;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Null(await _host.StateAsync($"order-{OrderIdentity.DeriveOrderId("/shop", "a-3")}"));
        Assert.Equal(transactions, _host.Faults.CallsTo(OrderingHost.ExecuteStateTransaction).Count);
    }

    [Fact]
    public async Task The_deadline_cancels_an_unfinished_order_then_deletes_its_reminder()
    {
        Assert.Equal("SUCCESS", await DeliverAsync(Reserved));

        // The sidecar fires the reminder when it is due, 30 s after the submission.
        await _host.AdvanceClockAsync(TimeSpan.FromSeconds(30));

        var cancelled = Assert.Single(await PublishedAsync(OrderCancelled));
        Assert.Equal(($"order-cancelled-{_orderId}", "deadline-exceeded"), ((string?)cancelled["id"], (string?)cancelled["data"]!["reason"]));
        Assert.Equal("Cancelled", await StatusAsync());
        var last = (await _host.StateAsync($"order-{_orderId}"))!["history"]!.AsArray()[^1]!;
        Assert.Equal("deadline-exceeded", (string?)last["reason"]);
        Assert.Null(_host.Reminder(_orderId, Deadline));
        Assert.Equal(["POST", "DELETE"], ReminderCalls(_orderId));
    }

    [Fact]
    public async Task A_deadline_turn_that_fails_to_announce_fires_again_and_announces()
    {
        Assert.Equal("SUCCESS", await DeliverAsync(Reserved));
        // Every publish fails while the deadline comes due and the Scheduler retries its fire (3 times, 1 s apart).
        _host.Faults.FailWhen = call => call.Path == OrderingHost.PublishEvent;
        await _host.AdvanceClockAsync(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 5; i++)
        {
            await _host.AdvanceClockAsync(TimeSpan.FromSeconds(1));
        }

        _host.Faults.FailWhen = null;
        Assert.Equal("Cancelled", await StatusAsync());
        Assert.Empty(await PublishedAsync(OrderCancelled));
        Assert.NotNull(_host.Reminder(_orderId, Deadline));

        // A minute later the deadline fires again, finds its step stored and announces it.
        await _host.AdvanceClockAsync(TimeSpan.FromMinutes(1));

        var cancelled = Assert.Single(await PublishedAsync(OrderCancelled));
        Assert.Equal(($"order-cancelled-{_orderId}", "deadline-exceeded"), ((string?)cancelled["id"], (string?)cancelled["data"]!["reason"]));
        Assert.Null(_host.Reminder(_orderId, Deadline));
    }

    [Fact]
    public async Task A_repeated_input_announces_the_same_event_id_once_more_only_where_the_document_shows_its_step()
    {
        // Payment before stock: the document is not where payment leads from, so nothing happens.
        Assert.Equal("SUCCESS", await DeliverAsync(Paid));
        Assert.Equal("Submitted", await StatusAsync());
        Assert.Empty(_host.Faults.CallsTo(OrderingHost.PublishEvent));
        Assert.DoesNotContain(_host.Faults.Calls, c => IsSaveOf(c, $"order-{_orderId}"));

        Assert.Equal("SUCCESS", await DeliverAsync(Reserved));
        var saves = _host.Faults.Calls.Count(c => IsSaveOf(c, $"order-{_orderId}"));
        // Redelivered: the document shows AwaitingPayment, so payment.requested goes out again under the same id, and
        // the document is marked; a third delivery finds the mark and neither announces nor writes.
        Assert.Equal("SUCCESS", await DeliverAsync(Reserved));
        Assert.Equal(saves + 1, _host.Faults.Calls.Count(c => IsSaveOf(c, $"order-{_orderId}")));
        Assert.Equal(true, (bool?)(await _host.StateAsync($"order-{_orderId}"))!["reannounced"]);
        Assert.Equal("SUCCESS", await DeliverAsync(Reserved));
        Assert.Equal(saves + 1, _host.Faults.Calls.Count(c => IsSaveOf(c, $"order-{_orderId}")));
        var requested = await PublishedAsync(PaymentRequested);
        Assert.Equal(2, requested.Count);
        Assert.Single(requested.Select(e => e["id"]!.ToJsonString()).Distinct());
        Assert.True(JsonNode.DeepEquals(requested[0]["data"], requested[1]["data"]));

        // The next status clears the mark: its own first repeat announces once more.
        Assert.Equal("SUCCESS", await DeliverAsync(Paid));
        Assert.Null((await _host.StateAsync($"order-{_orderId}"))!["reannounced"]);
        Assert.Equal("SUCCESS", await DeliverAsync(Paid));
        Assert.Equal("SUCCESS", await DeliverAsync(Paid));
        Assert.Equal("Completed", await StatusAsync());
        var completed = await PublishedAsync(OrderCompleted);
        Assert.Equal(2, completed.Count);
        Assert.Single(completed.Select(e => (string?)e["id"]).Distinct());
        Assert.Equal(2, (await PublishedAsync(PaymentRequested)).Count);
        var history = (await _host.StateAsync($"order-{_orderId}"))!["history"]!.AsArray();
        Assert.Equal(["Submitted", "AwaitingPayment", "Completed"], history.Select(h => (string?)h!["status"]));
    }

    [Fact]
    public async Task A_turn_that_fails_after_storing_its_status_announces_on_redelivery()
    {
        var steps = new (string Type, string Path, JsonNode Data, string Status, string Announced)[]
        {
            (Reserved.Type, Reserved.Path, Reserved.Data, "AwaitingPayment", PaymentRequested),
            (Paid.Type, Paid.Path, Paid.Data, "Completed", OrderCompleted),
        };
        foreach (var (type, path, data, status, announced) in steps)
        {
            // The status is stored, the publish fails, so the delivery fails and daprd redelivers it.
            _host.Faults.FailWhen = call => call.Path == OrderingHost.PublishEvent;
            Assert.Equal("500", await _host.DeliverAsync(path, type, data));
            _host.Faults.FailWhen = null;
            Assert.Equal(status, await StatusAsync());
            Assert.Empty(await PublishedAsync(announced));

            Assert.Equal("SUCCESS", await _host.DeliverAsync(path, type, data));
            Assert.Single(await PublishedAsync(announced));
        }

        Assert.Single(await PublishedAsync(PaymentRequested));
        Assert.Null(_host.Reminder(_orderId, Deadline));
    }

    [Fact]
    public async Task A_status_write_that_loses_the_etag_race_reads_again_and_converges()
    {
        var key = $"order-{_orderId}";
        var submitted = (await _host.StateAsync(key))!;
        var raced = false;
        // Another writer saves the order after the turn read it, just before the turn's own write reaches the store.
        _host.Faults.FailWhen = call =>
        {
            if (!raced && IsSaveOf(call, key))
            {
                raced = true;
                _host.SetStateAsync(key, submitted).GetAwaiter().GetResult();
            }

            return false;
        };

        var earlier = _host.Faults.Calls.Count;
        Assert.Equal("SUCCESS", await DeliverAsync(Reserved));
        _host.Faults.FailWhen = null;
        var turn = _host.Faults.Calls.Skip(earlier).ToList();

        Assert.True(raced);
        Assert.Equal(["Submitted", "AwaitingPayment"], (await _host.StateAsync(key))!["history"]!.AsArray().Select(h => (string?)h!["status"]));
        // The refused write was followed by one fresh read and one accepted write, then one announcement.
        Assert.Equal(2, turn.Count(c => c.Path == OrderingHost.GetState && OrderingHost.GrpcMessage(c, GetStateRequest.Parser).Key == key));
        Assert.Equal(2, turn.Count(c => IsSaveOf(c, key)));
        Assert.Single(await PublishedAsync(PaymentRequested));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_deadline_racing_payment_ends_the_order_exactly_once(bool deadlineStoresFirst)
    {
        Assert.Equal("SUCCESS", await DeliverAsync(Reserved));
        var key = $"order-{_orderId}";
        var raced = false;
        // The first turn has read the order; before its write lands, the other turn runs to its end.
        _host.Faults.FailWhen = call =>
        {
            if (!raced && IsSaveOf(call, key))
            {
                raced = true;
                if (deadlineStoresFirst)
                {
                    RemindAsync(_orderId).GetAwaiter().GetResult();
                }
                else
                {
                    Assert.Equal("SUCCESS", DeliverAsync(Paid).GetAwaiter().GetResult());
                }
            }

            return false;
        };

        if (deadlineStoresFirst)
        {
            Assert.Equal("SUCCESS", await DeliverAsync(Paid));
        }
        else
        {
            await RemindAsync(_orderId);
        }

        _host.Faults.FailWhen = null;
        Assert.True(raced);

        var order = (await _host.StateAsync(key))!;
        var terminal = order["history"]!.AsArray().Select(h => (string?)h!["status"]).Where(s => s is "Completed" or "Cancelled").ToList();
        Assert.Equal(deadlineStoresFirst ? "Cancelled" : "Completed", Assert.Single(terminal));
        var (ended, neverAnnounced) = deadlineStoresFirst ? (OrderCancelled, OrderCompleted) : (OrderCompleted, OrderCancelled);
        Assert.Empty(await PublishedAsync(neverAnnounced));
        // The loser re-read the ended order, which its input had not ended: it announced nothing.
        Assert.Single(await PublishedAsync(ended));
    }

    [Fact]
    public async Task An_ended_order_stays_as_it_is_and_later_events_announce_nothing()
    {
        Assert.Equal("SUCCESS", await DeliverAsync(Rejected));
        Assert.Equal("Cancelled", await StatusAsync());
        Assert.Null(_host.Reminder(_orderId, Deadline));

        Assert.Equal("SUCCESS", await DeliverAsync(Reserved));
        Assert.Equal("SUCCESS", await DeliverAsync(Paid));
        // A deadline fire that raced the deletion.
        await RemindAsync(_orderId);

        var order = (await _host.StateAsync($"order-{_orderId}"))!;
        Assert.Equal(("Cancelled", "out-of-stock"), ((string?)order["status"], (string?)order["cancellationReason"]));
        Assert.Equal(["Submitted", "Cancelled"], order["history"]!.AsArray().Select(h => (string?)h!["status"]));
        Assert.Empty(await PublishedAsync(OrderCompleted));
        Assert.Empty(await PublishedAsync(PaymentRequested));
        var cancelled = Assert.Single(await PublishedAsync(OrderCancelled));
        Assert.Equal(($"order-cancelled-{_orderId}", "out-of-stock"), ((string?)cancelled["id"], (string?)cancelled["data"]!["reason"]));
    }

    [Fact]
    public async Task An_orphan_deadline_of_an_order_never_stored_does_nothing()
    {
        const string unknown = "0f8fad5b-d9cb-869f-a165-70867728950e";
        var earlier = _host.Faults.Calls.Count;

        await RemindAsync(unknown);

        Assert.Null(await _host.StateAsync($"order-{unknown}"));
        Assert.DoesNotContain(OrderingHost.PublishEvent, _host.Faults.Calls.Skip(earlier).Select(c => c.Path));
        // Deleted, so it does not fire again.
        Assert.Equal(["DELETE"], ReminderCalls(unknown));
        Assert.DoesNotContain(_host.Faults.Calls.Skip(earlier), c => IsSaveOf(c, $"order-{unknown}"));
    }

    [Fact]
    public async Task Events_for_an_order_that_does_not_exist_are_acknowledged_and_ignored()
    {
        const string unknown = "0f8fad5b-d9cb-869f-a165-70867728950e";

        var status = await _host.DeliverAsync("/events/payments/failed", "daprorders.payment.failed.v1",
            JsonNode.Parse($$"""{"orderId":"{{unknown}}","reason":"declined","declineCode":"do-not-honor","failedAt":"2026-11-23T12:00:01Z"}""")!);

        Assert.Equal("SUCCESS", status);
        Assert.Empty(_host.Faults.CallsTo(OrderingHost.PublishEvent));
        Assert.Null(await _host.StateAsync($"order-{unknown}"));
    }

    private Delivery Reserved => new("/events/inventory/reserved", "daprorders.stock.reserved.v1",
        JsonNode.Parse($$"""{"orderId":"{{_orderId}}","lines":[{"sku":"sku-1","quantity":2}],"reservedAt":"2026-11-23T12:00:01Z"}""")!);

    private Delivery Rejected => new("/events/inventory/rejected", "daprorders.stock.rejected.v1",
        JsonNode.Parse($$"""{"orderId":"{{_orderId}}","shortages":[{"sku":"sku-1","requested":2,"available":0}],"rejectedAt":"2026-11-23T12:00:01Z"}""")!);

    private Delivery Paid => new("/events/payments/succeeded", "daprorders.payment.succeeded.v1",
        JsonNode.Parse($$"""{"orderId":"{{_orderId}}","paymentId":"p-1","amount":{"amount":3998,"currency":"EUR"},"chargedAt":"2026-11-23T12:00:02Z"}""")!);

    private Task<string> DeliverAsync(Delivery delivery) => _host.DeliverAsync(delivery.Path, delivery.Type, delivery.Data);

    private async Task<string> SubmitAsync(string eventId, string data)
    {
        using var response = await PostAsync(eventId, data);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return OrderIdentity.DeriveOrderId("/shop", eventId);
    }

    private async Task<HttpResponseMessage> PostAsync(string eventId, string data)
    {
        using var request = OrderingHost.PostOrders(
            $$$"""{"specversion":"1.0","id":"{{{eventId}}}","source":"/shop","type":"daprorders.order.submitted.v1","data":{{{data}}}}""",
            "application/cloudevents+json");
        return await _host.Client.SendAsync(request);
    }

    /// <summary>The intake's calls about one order since <paramref name="earlier"/>: its reads, its reminder, its transaction.</summary>
    private List<string> OrderCalls(int earlier, string orderId) =>
    [
        .. _host.Faults.Calls.Skip(earlier)
            .Where(c => c.Path.Contains("/reminders/", StringComparison.Ordinal) || c.Path == OrderingHost.ExecuteStateTransaction
                || (c.Path == OrderingHost.GetState && OrderingHost.GrpcMessage(c, GetStateRequest.Parser).Key == $"order-{orderId}"))
            .Select(c => c.Path),
    ];

    /// <summary>The reminders API calls for an order's deadline, as HTTP methods: create (POST) and delete (DELETE).</summary>
    private List<string> ReminderCalls(string orderId) =>
        [.. _host.Faults.CallsTo($"/v1.0/actors/OrderProcess/{orderId}/reminders/{Deadline}").Select(c => c.Method)];

    private static bool IsSaveOf(SidecarCall call, string key) =>
        call.Path == SaveState && OrderingHost.GrpcMessage(call, SaveStateRequest.Parser).States.Any(state => state.Key == key);

    /// <summary>
    /// The deadline reminder firing now, as daprd calls the app's route when it is due (also after the reminder was
    /// deleted: a fire that raced the deletion).
    /// </summary>
    private async Task RemindAsync(string orderId)
    {
        using var response = await _host.SendAsSidecarAsync(HttpMethod.Put, $"/actors/OrderProcess/{orderId}/method/remind/{Deadline}",
            """{"dueTime":"","period":""}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<string?> StatusAsync() => (string?)(await _host.StateAsync($"order-{_orderId}"))?["status"];

    /// <summary>The CloudEvents of <paramref name="type"/> the service published on its topic.</summary>
    private async Task<IReadOnlyList<JsonNode>> PublishedAsync(string type) =>
        [.. (await _host.PublishedAsync(type)).Select(e => JsonNode.Parse(e.GetRawText())!)];

    private sealed record Delivery(string Path, string Type, JsonNode Data);
}
