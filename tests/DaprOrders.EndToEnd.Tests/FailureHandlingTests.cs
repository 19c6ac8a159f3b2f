using System.Net;
using System.Net.Http.Json;
using DaprOrders.Contracts;
using DaprOrders.EndToEnd.Tests.Infrastructure;

namespace DaprOrders.EndToEnd.Tests;

/// <summary>
/// Transient failures, poison events, duplicates and deadlines. The resiliency policy is the real one
/// (components/shared/resiliency.yaml): pub/sub deliveries are retried after 5 s and 10 s (constant 5 s, maxRetries 2),
/// then dead-lettered. The emulator runs on a virtual clock, so the tests move time themselves.
/// </summary>
public sealed class FailureHandlingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_payment_that_fails_twice_is_retried_at_the_policy_times_and_charged_once()
    {
        await using var system = await OrderSystem.StartAsync(o => o.Output = output);
        var sku = TestOrders.NewSku();
        await system.SetStockAsync(sku, 5);

        var orderId = await system.SubmitAsync(TestOrders.Order(TestOrders.FlakyCustomer(2), (sku, 1, 1500)));

        // First attempt at virtual time 0: the gateway fails, Payment asks for a retry, the broker holds it on the clock
        // (besides Audit's bulk windows, which also wait on the clock).
        await Eventually.UntilAsync(
            () => Task.FromResult((Attempts: PaymentAttempts(system, orderId), Retries: system.Broker.PendingRetries - system.Broker.InBulkWindows)),
            s => s is { Attempts: 1, Retries: 1 }, "the first payment attempt to fail and wait for a retry");
        var start = system.Clock.GetUtcNow();

        // Before each retry time nothing happens; at 5 s the second attempt fails; at 10 s the third one succeeds.
        foreach (var (at, attemptsSoFar) in new[] { (4, 1), (9, 2) })
        {
            await system.AdvanceClockAsync(start + TimeSpan.FromSeconds(at) - system.Clock.GetUtcNow(), Second);
            Assert.Equal(attemptsSoFar, PaymentAttempts(system, orderId));
            Assert.Equal("AwaitingPayment", (await system.GetOrderAsync(orderId)).Status);
            Assert.Equal(0, system.CountPublished(orderId, EventTypes.PaymentSucceeded));
            await system.AdvanceClockAsync(Second, Second);
            await Eventually.UntilAsync(() => Task.FromResult(PaymentAttempts(system, orderId)), n => n == attemptsSoFar + 1,
                $"payment attempt {attemptsSoFar + 1} at {at + 1} s");
        }

        Assert.Equal("Completed", (await system.WaitForTerminalAsync(orderId)).Status);
        await system.QuiesceAsync();
        Assert.Equal(3, PaymentAttempts(system, orderId));
        Assert.Equal(1, system.CountPublished(orderId, EventTypes.PaymentSucceeded));
        Assert.Equal(1, await system.CountChargesAsync(orderId));
        Assert.Equal(1, await system.CountApprovedChargesAsync());
        Assert.Equal(new StockLevel(sku, 4, 1, 0), await system.GetStockAsync(sku));
    }

    [Fact]
    public async Task A_poison_event_is_dead_lettered_after_the_retries_and_completes_when_replayed_after_the_fix()
    {
        await using var system = await OrderSystem.StartAsync(o => o.Output = output);
        var sku = TestOrders.NewSku();
        await system.SetStockAsync(sku, 5);

        string orderId;
        using (system.Faults.Fail(appId: AppIds.Inventory, topic: Topics.OrderCreated))
        {
            orderId = await system.SubmitAsync(TestOrders.Order(TestOrders.Customer(), (sku, 2, 1500)));
            await system.AdvanceClockUntilAsync(
                async () => (await system.FindDeadLetterAsync(orderId, EventTypes.OrderCreated)) is not null,
                Second, TimeSpan.FromSeconds(30), "order.created reaching Audit's dead letters");

            // Three attempts (0 s, 5 s, 10 s) all failed: the reservation never happened.
            Assert.True(system.Clock.GetUtcNow() - system.Clock.Start >= 2 * RetryInterval, "dead-lettered before the second retry");
            Assert.Equal(new StockLevel(sku, 5, 0, 0), await system.GetStockAsync(sku));
            Assert.NotEqual("Completed", (await system.GetOrderAsync(orderId)).Status);
        }

        var deadLetter = (await system.FindDeadLetterAsync(orderId, EventTypes.OrderCreated))!;
        await system.ReplayDeadLetterAsync(deadLetter);

        Assert.Equal("Completed", (await system.WaitForTerminalAsync(orderId)).Status);
        await Eventually.UntilAsync(() => system.GetStockAsync(sku), s => s == new StockLevel(sku, 3, 2, 0), "stock reserved after the replay");
        Assert.Equal(1, await system.CountChargesAsync(orderId));
        Assert.Equal(1, await system.CountApprovedChargesAsync());
    }

    [Fact]
    public async Task Every_event_delivered_twice_has_the_same_outcome_and_no_double_effect()
    {
        await using var system = await OrderSystem.StartAsync(o => o.Output = output);
        var sku = TestOrders.NewSku();
        await system.SetStockAsync(sku, 5);
        using var duplicates = system.Faults.Duplicate();

        var orderId = await system.SubmitAsync(TestOrders.Order(TestOrders.Customer(), (sku, 2, 1500)));

        Assert.Equal("Completed", (await system.WaitForTerminalAsync(orderId)).Status);
        await Eventually.UntilAsync(() => system.GetAuditTimelineTypesAsync(orderId), t => t.Contains(EventTypes.NotificationSent), "notification.sent on the timeline");
        await system.QuiesceAsync();

        // The duplicates really arrived: every subscriber saw order.created twice.
        Assert.True(system.Deliveries.To(AppIds.Inventory).Count(d => d.OrderId == orderId && d.Type == EventTypes.OrderCreated) >= 2);
        Assert.Equal(1, await system.CountChargesAsync(orderId));
        Assert.Equal(1, await system.CountApprovedChargesAsync());
        Assert.Single(await system.GetNotificationsAsync(orderId));
        Assert.Equal(new StockLevel(sku, 3, 2, 0), await system.GetStockAsync(sku));
        var history = (await system.GetOrderDocumentAsync(orderId))["history"]!.AsArray().Select(h => h!["status"]!.GetValue<string>()).ToList();
        Assert.Equal(history.Distinct(), history);

        // Audit de-duplicates deliveries: each CloudEvent id once, though every event arrived twice.
        var timeline = await system.GetAuditTimelineAsync(orderId);
        Assert.Equal(timeline.Select(e => e.EventId).Distinct(), timeline.Select(e => e.EventId));
        // Every saga step happened once. When a repeated payment.requested finds the order already charged, Payment
        // announces the outcome again with the same CloudEvent id, so the timeline still holds it once.
        string[] once = [EventTypes.OrderCreated, EventTypes.StockReserved, EventTypes.PaymentRequested, EventTypes.PaymentSucceeded,
            EventTypes.OrderCompleted, EventTypes.NotificationSent];
        Assert.All(once, type => Assert.Single(timeline, e => e.Type == type));
        Assert.Equal(once.Order(StringComparer.Ordinal), timeline.Select(e => e.Type).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_passed_deadline_cancels_a_charged_order_releases_the_stock_and_refunds_and_a_late_success_changes_nothing()
    {
        await using var system = await OrderSystem.StartAsync(o =>
        {
            o.Output = output;
            o.Set(AppIds.Ordering, "Saga:Deadline", "00:00:30");
        });
        var sku = TestOrders.NewSku();
        await system.SetStockAsync(sku, 5);
        // Ordering hears about the payment only after two virtual minutes: the charge happens, the saga does not move.
        var slowPayments = system.Faults.Delay(TimeSpan.FromMinutes(2), appId: AppIds.Ordering, topic: Topics.PaymentSucceeded);

        var orderId = await system.SubmitAsync(TestOrders.Order(TestOrders.Customer(), (sku, 2, 1500)));
        await Eventually.UntilAsync(() => system.CountChargesAsync(orderId), n => n == 1, "the charge");
        Assert.Equal("AwaitingPayment", (await system.GetOrderAsync(orderId)).Status);

        // The deadline runs from the submission, which the outbox's release already took 1 s past.
        await system.AdvanceClockAsync(TimeSpan.FromSeconds(28), Second);
        Assert.Equal("AwaitingPayment", (await system.GetOrderAsync(orderId)).Status);
        await system.AdvanceClockAsync(TimeSpan.FromSeconds(2), Second);

        var order = await system.WaitForTerminalAsync(orderId);
        Assert.Equal(("Cancelled", "deadline-exceeded"), (order.Status, order.Reason));
        await Eventually.UntilAsync(() => system.GetStockAsync(sku), s => s == new StockLevel(sku, 5, 0, 0), "stock released");
        await Eventually.UntilAsync(() => Task.FromResult(system.CountPublished(orderId, EventTypes.PaymentRefunded)), n => n == 1, "the refund");

        // The late payment.succeeded finally arrives: a terminal order stays as it is.
        slowPayments.Dispose();
        await system.AdvanceClockAsync(TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(10));
        await Eventually.UntilAsync(
            () => Task.FromResult(system.Deliveries.To(AppIds.Ordering).Count(d => d.OrderId == orderId && d.Type == EventTypes.PaymentSucceeded)),
            n => n >= 1, "the late payment.succeeded to reach Ordering");
        await system.QuiesceAsync();
        Assert.Equal(("Cancelled", "deadline-exceeded"), ((await system.GetOrderAsync(orderId)).Status, (await system.GetOrderAsync(orderId)).Reason));
        Assert.Equal(0, system.CountPublished(orderId, EventTypes.OrderCompleted));
        Assert.Equal(1, system.CountPublished(orderId, EventTypes.PaymentRefunded));
        Assert.Equal(new StockLevel(sku, 5, 0, 0), await system.GetStockAsync(sku));
    }

    [Fact]
    public async Task A_deadline_passed_while_payment_hangs_cancels_the_order_and_a_late_charge_is_refunded()
    {
        await using var system = await OrderSystem.StartAsync(o =>
        {
            o.Output = output;
            o.Set(AppIds.Ordering, "Saga:Deadline", "00:00:30");
        });
        var sku = TestOrders.NewSku();
        await system.SetStockAsync(sku, 5);
        // Payment hears nothing for two virtual minutes: payment.requested (t=0) arrives at 2:00, the cancellation
        // (t=0:30) at 2:30.
        using var hangingRequest = system.Faults.Delay(TimeSpan.FromMinutes(2), appId: AppIds.Payment, topic: Topics.PaymentRequested);
        using var hangingCancellation = system.Faults.Delay(TimeSpan.FromMinutes(2), appId: AppIds.Payment, topic: Topics.OrderCancelled);

        var orderId = await system.SubmitAsync(TestOrders.Order(TestOrders.Customer(), (sku, 2, 1500)));
        await system.WaitForStatusAsync(orderId, "AwaitingPayment");
        await system.AdvanceClockAsync(TimeSpan.FromSeconds(31), Second);

        var order = await system.WaitForTerminalAsync(orderId);
        Assert.Equal(("Cancelled", "deadline-exceeded"), (order.Status, order.Reason));
        await Eventually.UntilAsync(() => system.GetStockAsync(sku), s => s == new StockLevel(sku, 5, 0, 0), "stock released");
        Assert.Equal(0, await system.CountChargesAsync(orderId));

        // The late request charges a cancelled order; the late cancellation refunds it. Ordering stays Cancelled.
        await system.AdvanceClockAsync(TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(10));
        await Eventually.UntilAsync(() => system.GetPaymentAsync(orderId), p => p?["status"]?.GetValue<string>() is "Refunded" or "CancelledBeforeCharge", "payment settled as refunded or never charged");
        await system.QuiesceAsync();
        var payment = (await system.GetPaymentAsync(orderId))!;
        Assert.Equal(
            payment["status"]!.GetValue<string>() == "Refunded" ? 1 : 0,
            system.CountPublished(orderId, EventTypes.PaymentRefunded));
        Assert.Equal(("Cancelled", "deadline-exceeded"), ((await system.GetOrderAsync(orderId)).Status, (await system.GetOrderAsync(orderId)).Reason));
        Assert.Equal(0, system.CountPublished(orderId, EventTypes.OrderCompleted));
        Assert.Equal(new StockLevel(sku, 5, 0, 0), await system.GetStockAsync(sku));
    }

    [Fact]
    public async Task A_foreign_type_on_a_topic_reaches_no_service_and_is_dead_lettered_for_an_operator()
    {
        await using var system = await OrderSystem.StartAsync(o => o.Output = output);
        var orderId = Guid.NewGuid().ToString();

        // A publisher's mistake: payment.requested on order-created, which ordering may publish to. Ordering and
        // Inventory subscribe to order-created with a rule for order.created and no default route, so daprd never
        // calls them and copies the event to deadletters instead (dapr/dapr v1.17 pkg/runtime/subscription/subscription.go).
        using var sidecar = new HttpClient { BaseAddress = system.Emulator["ordering"].HttpEndpoint };
        using var published = await sidecar.PostAsync(
            $"v1.0/publish/pubsub/{Topics.OrderCreated}?metadata.cloudevent.type={EventTypes.PaymentRequested}",
            JsonContent.Create(new { orderId, customerId = "c-1", amount = new { amount = 1500, currency = "EUR" }, requestedAt = "2026-11-23T09:00:00Z" }));
        Assert.Equal(HttpStatusCode.NoContent, published.StatusCode);
        await system.QuiesceAsync();

        Assert.Equal([AppIds.Audit], system.Deliveries.All.Where(d => d.OrderId == orderId).Select(d => d.AppId).Distinct());
        Assert.Equal([EventTypes.PaymentRequested], await system.GetAuditTimelineTypesAsync(orderId));
        var deadLetter = await system.FindDeadLetterAsync(orderId, EventTypes.PaymentRequested);
        Assert.NotNull(deadLetter);
        Assert.Equal(Topics.OrderCreated, deadLetter["topic"]!.GetValue<string>());
        Assert.Equal(0, await system.CountChargesAsync(orderId));
    }

    /// <summary>Charge attempts = deliveries of the order's payment.requested that reached Payment (each answered RETRY until the last).</summary>
    private static int PaymentAttempts(OrderSystem system, string orderId) =>
        system.Deliveries.To(AppIds.Payment).Count(d => d.OrderId == orderId && d.Type == EventTypes.PaymentRequested);
}
