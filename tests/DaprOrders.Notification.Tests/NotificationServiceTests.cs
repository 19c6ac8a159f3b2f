using System.Net;
using System.Text.Json;
using DaprOrders.Contracts;
using DaprOrders.Notification.Channels;
using DaprOrders.Notification.Notifications;
using DaprOrders.Notification.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.Notification.Tests;

/// <summary>The Notification service on the emulator: state and publishes go through the Dapr SDK over gRPC.</summary>
public sealed class NotificationServiceTests
{
    private const string CompletedPath = "/events/orders/completed";
    private const string CancelledPath = "/events/orders/cancelled";

    private static object Completed(string orderId) => new
    {
        orderId,
        customerId = "c-42",
        total = new { amount = 1999, currency = "EUR" },
        completedAt = "2026-11-23T09:00:00Z",
    };

    private static object Cancelled(string orderId) => new
    {
        orderId,
        customerId = "c-42",
        reason = "payment-declined",
        cancelledAt = "2026-11-23T09:00:00Z",
    };

    [Fact]
    public async Task Completed_order_is_notified_once_and_announced_with_a_stable_cloudevent_id()
    {
        var (bed, clock) = await NotificationService.StartAsync();
        await using var running = bed;

        Assert.Equal("SUCCESS", await bed.DeliverAsync(CompletedPath, EventTypes.OrderCompleted, Completed("o-1")));

        var mailbox = (await bed.MailboxAsync("o-1")).Value!.Value;
        Assert.Equal("c-42", mailbox.GetProperty("customerId").GetString());
        Assert.Contains("19.99 EUR", mailbox.GetProperty("message").GetString(), StringComparison.Ordinal);
        var record = (await bed.RecordAsync("o-1"))!.Value;
        Assert.Equal("Sent", record.GetProperty("status").GetString());
        Assert.Equal("stored", record.GetProperty("channel").GetString());

        var announcement = Assert.Single(await bed.AnnouncementsAsync());
        Assert.Equal(EventTypes.NotificationSent, announcement.GetProperty("type").GetString());
        Assert.Equal("notification-sent-o-1", announcement.GetProperty("id").GetString());
        Assert.Equal("application/json", announcement.GetProperty("datacontenttype").GetString());
        var sent = announcement.GetProperty("data").Deserialize(ContractsJsonContext.Default.NotificationSent)!;
        Assert.Equal(new NotificationSent("o-1", "c-42", NotificationKind.OrderCompleted, "stored", clock.GetUtcNow()), sent);
    }

    [Fact]
    public async Task A_first_delivery_costs_one_state_transaction_and_one_publish_and_a_duplicate_one_read_more()
    {
        var faults = new SidecarFaults();
        var (bed, _) = await NotificationService.StartAsync(faults: faults);
        await using var running = bed;

        var before = faults.Calls.Count;
        Assert.Equal("SUCCESS", await bed.DeliverAsync(CompletedPath, EventTypes.OrderCompleted, Completed("o-11")));
        var first = OwnCalls(faults, before);
        before = faults.Calls.Count;
        Assert.Equal("SUCCESS", await bed.DeliverAsync(CompletedPath, EventTypes.OrderCompleted, Completed("o-11")));
        var duplicate = OwnCalls(faults, before);
        before = faults.Calls.Count;
        Assert.Equal("SUCCESS", await bed.DeliverAsync(CompletedPath, EventTypes.OrderCompleted, Completed("o-11")));
        var later = OwnCalls(faults, before);

        // The record (Sent) and the mailbox commit together; nothing records the announcement.
        Assert.Equal([Transaction, Publish], first);
        // The duplicate's transaction is refused (the record exists), the read finds it Sent: announced again, not sent,
        // and the record marked; a later duplicate finds the mark and announces nothing.
        Assert.Equal([Transaction, GetState, Publish, SaveState], duplicate);
        Assert.Equal([Transaction, GetState], later);
        Assert.Equal(["notification-sent-o-11", "notification-sent-o-11"], (await bed.AnnouncementsAsync()).Select(a => a.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Duplicate_deliveries_and_a_late_opposite_outcome_never_send_again_and_announce_the_same_event()
    {
        var (bed, _) = await NotificationService.StartAsync();
        await using var running = bed;

        Assert.Equal("SUCCESS", await bed.DeliverAsync(CompletedPath, EventTypes.OrderCompleted, Completed("o-2"), id: "e-1"));
        var (_, mailboxETag) = await bed.MailboxAsync("o-2");
        Assert.Equal("SUCCESS", await bed.DeliverAsync(CompletedPath, EventTypes.OrderCompleted, Completed("o-2"), id: "e-1"));
        Assert.Equal("SUCCESS", await bed.DeliverAsync(CompletedPath, EventTypes.OrderCompleted, Completed("o-2"), id: "e-2"));
        Assert.Equal("SUCCESS", await bed.DeliverAsync(CancelledPath, EventTypes.OrderCancelled, Cancelled("o-2")));

        // The first delivery and the first repeat announced, both with the one CloudEvent id and the first outcome:
        // subscribers keep one. Later repeats found the record marked and announced nothing.
        var announcements = await bed.AnnouncementsAsync();
        Assert.Equal(2, announcements.Count);
        Assert.All(announcements, a => Assert.Equal("notification-sent-o-2", a.GetProperty("id").GetString()));
        Assert.Single(announcements.Select(a => a.GetProperty("data").GetRawText()).Distinct());
        // The mailbox was written once: its ETag did not move.
        Assert.Equal(mailboxETag, (await bed.MailboxAsync("o-2")).ETag);
        Assert.Equal("order-completed", (await bed.RecordAsync("o-2"))!.Value.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Concurrent_duplicate_deliveries_fill_the_mailbox_exactly_once()
    {
        var channel = new CountingStoredChannel();
        var (bed, _) = await NotificationService.StartAsync(channel);
        await using var running = bed;

        var statuses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            bed.DeliverAsync(CompletedPath, EventTypes.OrderCompleted, Completed("o-12"), id: $"e-{i % 3}")));

        Assert.All(statuses, s => Assert.Equal("SUCCESS", s));
        // One transaction committed the mailbox; every other one was refused by the record's first-write.
        Assert.Equal(1, channel.Committed);
        Assert.Equal(1, (await bed.RecordAsync("o-12"))!.Value.GetProperty("sendAttempts").GetInt32());
        Assert.NotNull((await bed.MailboxAsync("o-12")).Value);
        // Repeats that read the record Sent before any of them marked it announced; at least one marked it.
        var announcements = await bed.AnnouncementsAsync();
        Assert.InRange(announcements.Count, 2, 20);
        Assert.All(announcements, a => Assert.Equal("notification-sent-o-12", a.GetProperty("id").GetString()));
        Assert.Equal("SUCCESS", await bed.DeliverAsync(CompletedPath, EventTypes.OrderCompleted, Completed("o-12")));
        Assert.Equal(announcements.Count, (await bed.AnnouncementsAsync()).Count);
    }

    [Fact]
    public async Task A_crash_between_the_mailbox_and_the_announcement_announces_on_redelivery_without_sending_again()
    {
        var faults = new SidecarFaults();
        var channel = new CountingStoredChannel();
        var (bed, _) = await NotificationService.StartAsync(channel, faults: faults);
        await using var running = bed;
        faults.FailWhen = call => call.Path == Publish;

        using var crashed = await bed.PostCloudEventAsync(CompletedPath, """
            {"specversion":"1.0","id":"e-13","source":"ordering","type":"daprorders.order.completed.v1","datacontenttype":"application/json",
             "data":{"orderId":"o-13","customerId":"c-42","total":{"amount":100,"currency":"EUR"},"completedAt":"2026-11-23T09:00:00Z"}}
            """);
        Assert.Equal(HttpStatusCode.InternalServerError, crashed.StatusCode);
        var (mailbox, mailboxETag) = await bed.MailboxAsync("o-13");
        Assert.NotNull(mailbox);
        Assert.Empty(await bed.AnnouncementsAsync());

        faults.FailWhen = null;
        Assert.Equal("SUCCESS", await bed.DeliverAsync(CompletedPath, EventTypes.OrderCompleted, Completed("o-13"), id: "e-13"));

        Assert.Equal(1, channel.Committed);
        Assert.Equal(mailboxETag, (await bed.MailboxAsync("o-13")).ETag);
        Assert.Equal("notification-sent-o-13", Assert.Single(await bed.AnnouncementsAsync()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_pending_notification_whose_external_sender_crashed_is_completed_by_the_stored_channel()
    {
        var channel = new CountingStoredChannel();
        var (bed, clock) = await NotificationService.StartAsync(channel);
        await using var running = bed;
        var now = clock.GetUtcNow();
        // Left by a webhook sender that crashed under its claim, before the service was switched to the stored channel.
        await bed.SeedRecordAsync(new NotificationRecord("o-14", "c-42", NotificationKind.OrderCompleted, "webhook", "text",
            NotificationStatus.Pending, now, "crashed", now.AddSeconds(30), 1, null));

        Assert.Equal("RETRY", await bed.DeliverAsync(CompletedPath, EventTypes.OrderCompleted, Completed("o-14")));
        Assert.Equal(0, channel.Committed);
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal("SUCCESS", await bed.DeliverAsync(CompletedPath, EventTypes.OrderCompleted, Completed("o-14")));

        Assert.Equal(1, channel.Committed);
        var record = (await bed.RecordAsync("o-14"))!.Value;
        Assert.Equal(("Sent", "stored", 2), (record.GetProperty("status").GetString(), record.GetProperty("channel").GetString(),
            record.GetProperty("sendAttempts").GetInt32()));
        Assert.False(record.TryGetProperty("claimToken", out _));
        Assert.Equal("text", (await bed.MailboxAsync("o-14")).Value!.Value.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Concurrent_duplicate_deliveries_call_an_external_channel_once()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var channel = new ScriptedChannel { Gate = release.Task };
        var (bed, _) = await NotificationService.StartAsync(channel);
        await using var running = bed;

        var first = bed.DeliverAsync(CompletedPath, EventTypes.OrderCompleted, Completed("o-15"));
        await Eventually.UntilAsync(() => Task.FromResult(channel.Attempts == 1), "the first delivery to call the channel");
        // While the first delivery is sending under its claim, duplicates are asked to come back later.
        var duplicates = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => bed.DeliverAsync(CompletedPath, EventTypes.OrderCompleted, Completed("o-15"))));
        Assert.All(duplicates, s => Assert.Equal("RETRY", s));
        release.SetResult();
        Assert.Equal("SUCCESS", await first);
        Assert.Equal("SUCCESS", await bed.DeliverAsync(CompletedPath, EventTypes.OrderCompleted, Completed("o-15")));

        Assert.Equal(1, channel.Attempts);
        Assert.Single(channel.Delivered);
        Assert.Equal("Sent", (await bed.RecordAsync("o-15"))!.Value.GetProperty("status").GetString());
        var announcements = await bed.AnnouncementsAsync();
        Assert.Equal(2, announcements.Count);
        Assert.All(announcements, a => Assert.Equal("notification-sent-o-15", a.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Channel_failure_releases_the_claim_and_the_redelivery_sends()
    {
        var channel = new ScriptedChannel { FailuresLeft = 1 };
        var (bed, _) = await NotificationService.StartAsync(channel);
        await using var running = bed;

        Assert.Equal("RETRY", await bed.DeliverAsync(CancelledPath, EventTypes.OrderCancelled, Cancelled("o-3")));
        var pending = (await bed.RecordAsync("o-3"))!.Value;
        Assert.Equal("Pending", pending.GetProperty("status").GetString());
        Assert.False(pending.TryGetProperty("claimToken", out _));
        Assert.Empty(await bed.AnnouncementsAsync());

        Assert.Equal("SUCCESS", await bed.DeliverAsync(CancelledPath, EventTypes.OrderCancelled, Cancelled("o-3")));
        Assert.Equal(2, channel.Attempts);
        var delivered = Assert.Single(channel.Delivered);
        Assert.Equal(NotificationKind.OrderCancelled, delivered.Kind);
        Assert.Equal(2, (await bed.RecordAsync("o-3"))!.Value.GetProperty("sendAttempts").GetInt32());
        Assert.Single(await bed.AnnouncementsAsync());
    }

    [Fact]
    public async Task Live_claim_of_another_delivery_means_retry_and_an_expired_claim_is_taken_over()
    {
        var channel = new ScriptedChannel();
        var (bed, clock) = await NotificationService.StartAsync(channel);
        await using var running = bed;
        var now = clock.GetUtcNow();
        await bed.SeedRecordAsync(new NotificationRecord("o-4", "c-42", NotificationKind.OrderCompleted, "stored", "text",
            NotificationStatus.Pending, now, "someone-else", now.AddSeconds(30), 1, null));

        Assert.Equal("RETRY", await bed.DeliverAsync(CompletedPath, EventTypes.OrderCompleted, Completed("o-4")));
        Assert.Equal(0, channel.Attempts);

        // The other sender crashed: once its lease ran out, a redelivery completes the Pending notification.
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal("SUCCESS", await bed.DeliverAsync(CompletedPath, EventTypes.OrderCompleted, Completed("o-4")));
        Assert.Single(channel.Delivered);
        Assert.Equal("Sent", (await bed.RecordAsync("o-4"))!.Value.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_crash_after_an_external_send_was_recorded_only_repeats_the_announcement()
    {
        var channel = new ScriptedChannel();
        var (bed, clock) = await NotificationService.StartAsync(channel);
        await using var running = bed;
        var now = clock.GetUtcNow();
        await bed.SeedRecordAsync(new NotificationRecord("o-5", "c-42", NotificationKind.OrderCompleted, "scripted", "text",
            NotificationStatus.Sent, now, null, null, 1, now));

        Assert.Equal("SUCCESS", await bed.DeliverAsync(CompletedPath, EventTypes.OrderCompleted, Completed("o-5")));

        Assert.Equal(0, channel.Attempts);
        var announcement = Assert.Single(await bed.AnnouncementsAsync());
        Assert.Equal("notification-sent-o-5", announcement.GetProperty("id").GetString());
        Assert.Equal(now, announcement.GetProperty("data").GetProperty("sentAt").GetDateTimeOffset());
    }

    // A pubsub the sidecar does not know refuses the publish (INVALID_ARGUMENT, dapr/dapr v1.17.13 pkg/api/errors/pubsub.go):
    // the delivery fails with 500, which daprd retries, and the notification stays recorded for the retry to announce.
    [Fact]
    public async Task Sidecar_refusing_the_publish_makes_the_delivery_retry()
    {
        var (bed, _) = await NotificationService.StartAsync(settings: new Dictionary<string, string?> { ["Notification:PubsubName"] = "nopubsub" });
        await using var running = bed;

        using var response = await bed.PostCloudEventAsync(CompletedPath, """
            {"specversion":"1.0","id":"e-9","source":"ordering","type":"daprorders.order.completed.v1","datacontenttype":"application/json",
             "data":{"orderId":"o-6","customerId":"c-42","total":{"amount":100,"currency":"EUR"},"completedAt":"2026-11-23T09:00:00Z"}}
            """);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        // The customer has the message; the redelivery finds the record Sent and only announces.
        Assert.Equal("Sent", (await bed.RecordAsync("o-6"))!.Value.GetProperty("status").GetString());
        Assert.NotNull((await bed.MailboxAsync("o-6")).Value);
    }

    [Fact]
    public async Task Event_without_data_is_dropped()
    {
        var (bed, _) = await NotificationService.StartAsync();
        await using var running = bed;

        using var dropped = await bed.PostCloudEventAsync(CompletedPath,
            """{"specversion":"1.0","id":"x","source":"ordering","type":"daprorders.order.completed.v1"}""");
        Assert.Equal("""{"status":"DROP"}""", await dropped.Content.ReadAsStringAsync());
        using var notJson = await bed.PostCloudEventAsync(CompletedPath, "not json");
        Assert.Equal("""{"status":"DROP"}""", await notJson.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Deliveries_without_the_app_token_are_refused_with_401_problem_details()
    {
        var (bed, _) = await NotificationService.StartAsync();
        await using var running = bed;

        using var content = new StringContent("""{"specversion":"1.0","id":"x","source":"ordering","type":"t","data":{}}""",
            System.Text.Encoding.UTF8, "application/cloudevents+json");
        using var delivery = await bed.Client.PostAsync(CompletedPath, content);
        using var subscribe = await bed.Client.GetAsync("/dapr/subscribe");

        Assert.Equal(HttpStatusCode.Unauthorized, delivery.StatusCode);
        Assert.Equal("application/problem+json", delivery.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, subscribe.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bed.Client.GetAsync("/notifications")).StatusCode);
    }

    [Fact]
    public async Task Notifications_can_be_read_by_order_and_as_a_recent_list()
    {
        var (bed, clock) = await NotificationService.StartAsync();
        await using var running = bed;
        var client = bed.Client;
        await bed.DeliverAsync(CompletedPath, EventTypes.OrderCompleted, Completed("o-8"));
        clock.Advance(TimeSpan.FromSeconds(1));
        await bed.DeliverAsync(CancelledPath, EventTypes.OrderCancelled, Cancelled("o-9"));

        var one = JsonDocument.Parse(await client.GetStringAsync("/notifications?orderId=o-8")).RootElement;
        var view = Assert.Single(one.EnumerateArray());
        Assert.Equal("o-8", view.GetProperty("orderId").GetString());
        Assert.Equal("c-42", view.GetProperty("customerId").GetString());
        Assert.Equal("order-completed", view.GetProperty("kind").GetString());
        Assert.Equal("stored", view.GetProperty("channel").GetString());
        Assert.True(view.TryGetProperty("sentAt", out _));
        Assert.True(view.TryGetProperty("message", out _));

        Assert.Equal("[]", await client.GetStringAsync("/notifications?orderId=unknown"));

        // The list is written in the background, in batches: poll until it caught up.
        var recent = await Eventually.UntilAsync(
            async () => JsonDocument.Parse(await client.GetStringAsync("/notifications")).RootElement,
            list => list.GetArrayLength() == 2, "the recent-notifications list to hold both orders");
        Assert.Equal(["o-9", "o-8"], recent.EnumerateArray().Select(v => v.GetProperty("orderId").GetString()));

        using var bad = await client.GetAsync("/notifications?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Subscribes_only_to_order_completed_and_order_cancelled_one_rule_each()
    {
        var (bed, _) = await NotificationService.StartAsync();
        await using var running = bed;

        // What the emulator read from GET /dapr/subscribe, as daprd would.
        var topics = bed.Emulator.Services.GetRequiredService<DaprOrders.Emulator.PubSub.PubSubBroker>().SubscriptionsOf("notification").Select(s => s.Topic);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dapr/subscribe");
        request.Headers.Add("dapr-api-token", bed.Options.AppApiToken);
        using var response = await bed.Client.SendAsync(request);
        var subscriptions = TypedSubscriptions.Read(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);

        Assert.Equal(["order-cancelled", "order-completed"], topics.Order(StringComparer.Ordinal));
        Assert.Equal(new Dictionary<string, (string, string)>
        {
            ["order-completed"] = (TypedSubscriptions.Match(EventTypes.OrderCompleted), "events/orders/completed"),
            ["order-cancelled"] = (TypedSubscriptions.Match(EventTypes.OrderCancelled), "events/orders/cancelled"),
        }, subscriptions);
    }

    [Fact]
    public async Task Service_reads_its_pubsub_from_configuration()
    {
        var (bed, _) = await NotificationService.StartAsync(settings: new Dictionary<string, string?> { ["Notification:PubsubName"] = "otherpubsub" });
        await using var running = bed;

        using var request = new HttpRequestMessage(HttpMethod.Get, "/dapr/subscribe");
        request.Headers.Add("dapr-api-token", bed.Options.AppApiToken);
        using var response = await bed.Client.SendAsync(request);
        var subscription = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement[0];
        Assert.Equal("otherpubsub", subscription.GetProperty("pubsubName").GetString());
        Assert.Equal(HttpStatusCode.OK, (await bed.Client.GetAsync("/healthz")).StatusCode);
    }

    private const string Transaction = "/dapr.proto.runtime.v1.Dapr/ExecuteStateTransaction";
    private const string GetState = "/dapr.proto.runtime.v1.Dapr/GetState";
    private const string Publish = "/dapr.proto.runtime.v1.Dapr/PublishEvent";
    private const string SaveState = "/dapr.proto.runtime.v1.Dapr/SaveState";

    /// <summary>The calls since <paramref name="before"/> made for orders, without the background writes of the recent list.</summary>
    private static List<string> OwnCalls(SidecarFaults faults, int before) =>
        [.. faults.Calls.Skip(before).Where(c => !c.Body.Contains(NotificationStore.RecentKey, StringComparison.Ordinal)).Select(c => c.Path)];

    /// <summary>The stored channel, counting the transactions that committed its mailbox.</summary>
    private sealed class CountingStoredChannel : IStoredNotificationChannel
    {
        private readonly StoredNotificationChannel _inner = new(Microsoft.Extensions.Logging.Abstractions.NullLogger<StoredNotificationChannel>.Instance);
        private int _committed;

        public int Committed => Volatile.Read(ref _committed);

        public string Name => _inner.Name;

        public Dapr.Client.StateTransactionRequest Delivery(OrderNotification notification) => _inner.Delivery(notification);

        public void Delivered(OrderNotification notification) => Interlocked.Increment(ref _committed);
    }

    private sealed class ScriptedChannel : IExternalNotificationChannel
    {
        private readonly List<OrderNotification> _delivered = [];

        public int FailuresLeft { get; set; }

        /// <summary>Sends wait for it, so that a test can hold a send in flight.</summary>
        public Task Gate { get; init; } = Task.CompletedTask;

        public int Attempts { get; private set; }

        public IReadOnlyList<OrderNotification> Delivered => _delivered;

        public string Name => "scripted";

        public async Task SendAsync(OrderNotification notification, CancellationToken cancellationToken = default)
        {
            Attempts++;
            await Gate.WaitAsync(cancellationToken);
            if (FailuresLeft > 0)
            {
                FailuresLeft--;
                throw new HttpRequestException("mail server down");
            }

            _delivered.Add(notification);
        }
    }
}
