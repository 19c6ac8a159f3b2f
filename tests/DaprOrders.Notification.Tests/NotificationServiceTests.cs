using System.Net;
using System.Text.Json;
using DaprOrders.Contracts;
using DaprOrders.Notification.Channels;
using DaprOrders.Notification.Notifications;
using DaprOrders.Notification.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace DaprOrders.Notification.Tests;

public sealed class NotificationServiceTests : IAsyncLifetime
{
    private const string CompletedPath = "/events/orders/completed";
    private const string CancelledPath = "/events/orders/cancelled";
    private FakeSidecar _sidecar = null!;

    public async Task InitializeAsync() => _sidecar = await FakeSidecar.StartAsync();

    public async Task DisposeAsync() => await _sidecar.DisposeAsync();

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

    private JsonElement Record(string orderId) => _sidecar.GetState(NotificationStore.RecordKey(orderId))!.Value;

    [Fact]
    public async Task Completed_order_is_notified_once_and_announced_with_a_stable_cloudevent_id()
    {
        await using var app = new NotificationApp(_sidecar);
        using var client = app.CreateClient();

        Assert.Equal("SUCCESS", await app.DeliverAsync(client, CompletedPath, EventTypes.OrderCompleted, Completed("o-1")));

        var mailbox = _sidecar.GetState(StoredNotificationChannel.MailboxKey("o-1"))!.Value;
        Assert.Equal("c-42", mailbox.GetProperty("customerId").GetString());
        Assert.Contains("19.99 EUR", mailbox.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("Sent", Record("o-1").GetProperty("status").GetString());
        Assert.True(Record("o-1").GetProperty("announced").GetBoolean());

        var publish = Assert.Single(_sidecar.Publishes);
        Assert.Equal("/v1.0/publish/pubsub/notifications", publish.Path);
        Assert.Equal("application/json", publish.ContentType);
        Assert.Contains("metadata.cloudevent.type=daprorders.notification.sent.v1", publish.Query, StringComparison.Ordinal);
        Assert.Contains("metadata.cloudevent.id=notification-sent-o-1", publish.Query, StringComparison.Ordinal);
        Assert.Equal("sidecar-token", publish.Headers["dapr-api-token"]);
        var sent = JsonSerializer.Deserialize(publish.Body, ContractsJsonContext.Default.NotificationSent)!;
        Assert.Equal(new NotificationSent("o-1", "c-42", NotificationKind.OrderCompleted, "stored", app.Clock.GetUtcNow()), sent);
    }

    [Fact]
    public async Task Duplicate_deliveries_and_a_late_opposite_outcome_are_no_ops()
    {
        await using var app = new NotificationApp(_sidecar);
        using var client = app.CreateClient();

        Assert.Equal("SUCCESS", await app.DeliverAsync(client, CompletedPath, EventTypes.OrderCompleted, Completed("o-2"), id: "e-1"));
        Assert.Equal("SUCCESS", await app.DeliverAsync(client, CompletedPath, EventTypes.OrderCompleted, Completed("o-2"), id: "e-1"));
        Assert.Equal("SUCCESS", await app.DeliverAsync(client, CompletedPath, EventTypes.OrderCompleted, Completed("o-2"), id: "e-2"));
        Assert.Equal("SUCCESS", await app.DeliverAsync(client, CancelledPath, EventTypes.OrderCancelled, Cancelled("o-2")));

        Assert.Single(_sidecar.Publishes);
        Assert.Single(_sidecar.Requests, r => r.Method == "POST" && r.Body.Contains("notification-mailbox-o-2", StringComparison.Ordinal));
        Assert.Equal("order-completed", Record("o-2").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Channel_failure_releases_the_claim_and_the_redelivery_sends()
    {
        var channel = new ScriptedChannel { FailuresLeft = 1 };
        await using var app = new NotificationApp(_sidecar, channel: channel);
        using var client = app.CreateClient();

        Assert.Equal("RETRY", await app.DeliverAsync(client, CancelledPath, EventTypes.OrderCancelled, Cancelled("o-3")));
        var pending = Record("o-3");
        Assert.Equal("Pending", pending.GetProperty("status").GetString());
        Assert.False(pending.TryGetProperty("claimToken", out _));
        Assert.Empty(_sidecar.Publishes);

        Assert.Equal("SUCCESS", await app.DeliverAsync(client, CancelledPath, EventTypes.OrderCancelled, Cancelled("o-3")));
        Assert.Equal(2, channel.Attempts);
        var delivered = Assert.Single(channel.Delivered);
        Assert.Equal(NotificationKind.OrderCancelled, delivered.Kind);
        Assert.Equal(2, Record("o-3").GetProperty("sendAttempts").GetInt32());
        Assert.Single(_sidecar.Publishes);
    }

    [Fact]
    public async Task Live_claim_of_another_delivery_means_retry_and_an_expired_claim_is_taken_over()
    {
        var channel = new ScriptedChannel();
        await using var app = new NotificationApp(_sidecar, channel: channel);
        using var client = app.CreateClient();
        var now = app.Clock.GetUtcNow();
        var claimed = new NotificationRecord("o-4", "c-42", NotificationKind.OrderCompleted, "stored", "text", NotificationStatus.Pending,
            now, "someone-else", now.AddSeconds(30), 1, null, false);
        _sidecar.SetState(NotificationStore.RecordKey("o-4"), JsonSerializer.Serialize(claimed, NotificationJsonContext.Default.NotificationRecord));

        Assert.Equal("RETRY", await app.DeliverAsync(client, CompletedPath, EventTypes.OrderCompleted, Completed("o-4")));
        Assert.Equal(0, channel.Attempts);

        // The other sender crashed: once its lease ran out, a redelivery completes the Pending notification.
        app.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal("SUCCESS", await app.DeliverAsync(client, CompletedPath, EventTypes.OrderCompleted, Completed("o-4")));
        Assert.Single(channel.Delivered);
        Assert.Equal("Sent", Record("o-4").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Crash_after_sending_only_repeats_the_announcement()
    {
        var channel = new ScriptedChannel();
        await using var app = new NotificationApp(_sidecar, channel: channel);
        using var client = app.CreateClient();
        var now = app.Clock.GetUtcNow();
        var sent = new NotificationRecord("o-5", "c-42", NotificationKind.OrderCompleted, "stored", "text", NotificationStatus.Sent,
            now, null, null, 1, now, Announced: false);
        _sidecar.SetState(NotificationStore.RecordKey("o-5"), JsonSerializer.Serialize(sent, NotificationJsonContext.Default.NotificationRecord));

        Assert.Equal("SUCCESS", await app.DeliverAsync(client, CompletedPath, EventTypes.OrderCompleted, Completed("o-5")));

        Assert.Equal(0, channel.Attempts);
        Assert.Contains("metadata.cloudevent.id=notification-sent-o-5", Assert.Single(_sidecar.Publishes).Query, StringComparison.Ordinal);
        Assert.True(Record("o-5").GetProperty("announced").GetBoolean());
    }

    [Fact]
    public async Task Sidecar_failure_while_publishing_makes_the_delivery_retry()
    {
        await using var app = new NotificationApp(_sidecar);
        using var client = app.CreateClient();
        _sidecar.Intercept = r => r.Path.StartsWith("/v1.0/publish/", StringComparison.Ordinal)
            ? ScriptedResponse.DaprError(500, "ERR_PUBSUB_PUBLISH_MESSAGE", "broker down")
            : null;

        using var content = new StringContent("""
            {"specversion":"1.0","id":"e-9","source":"ordering","type":"daprorders.order.completed.v1","datacontenttype":"application/json",
             "data":{"orderId":"o-6","customerId":"c-42","total":{"amount":100,"currency":"EUR"},"completedAt":"2026-11-23T09:00:00Z"}}
            """, System.Text.Encoding.UTF8, "application/cloudevents+json");
        using var response = await client.PostAsync(CompletedPath, content);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);

        _sidecar.Intercept = null;
        Assert.Equal("SUCCESS", await app.DeliverAsync(client, CompletedPath, EventTypes.OrderCompleted, Completed("o-6"), id: "e-9"));
        Assert.Single(_sidecar.Requests, r => r.Method == "POST" && r.Body.Contains("notification-mailbox-o-6", StringComparison.Ordinal));
        Assert.Equal(2, _sidecar.Publishes.Count);
    }

    [Fact]
    public async Task Event_without_data_is_dropped_and_other_order_types_are_acknowledged()
    {
        await using var app = new NotificationApp(_sidecar);
        using var client = app.CreateClient();

        using var noData = new StringContent("""{"specversion":"1.0","id":"x","source":"ordering","type":"daprorders.order.completed.v1"}""",
            System.Text.Encoding.UTF8, "application/cloudevents+json");
        using var dropped = await client.PostAsync(CompletedPath, noData);
        Assert.Equal("""{"status":"DROP"}""", await dropped.Content.ReadAsStringAsync());

        Assert.Equal("SUCCESS", await app.DeliverAsync(client, "/events/orders", EventTypes.OrderCreated, new { orderId = "o-7" }));
        Assert.Empty(_sidecar.Requests);
    }

    [Fact]
    public async Task Notifications_can_be_read_by_order_and_as_a_recent_list()
    {
        await using var app = new NotificationApp(_sidecar);
        using var client = app.CreateClient();
        await app.DeliverAsync(client, CompletedPath, EventTypes.OrderCompleted, Completed("o-8"));
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        await app.DeliverAsync(client, CancelledPath, EventTypes.OrderCancelled, Cancelled("o-9"));

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
    public async Task Subscription_routes_completed_and_cancelled_with_a_default_route_and_dead_letters()
    {
        await using var app = new NotificationApp(_sidecar);
        using var client = app.CreateClient();

        var subscriptions = JsonDocument.Parse(await client.GetStringAsync("/dapr/subscribe")).RootElement;
        var orders = Assert.Single(subscriptions.EnumerateArray());
        Assert.Equal("pubsub", orders.GetProperty("pubsubname").GetString());
        Assert.Equal("orders", orders.GetProperty("topic").GetString());
        Assert.Equal("deadletters", orders.GetProperty("deadLetterTopic").GetString());
        var routes = orders.GetProperty("routes");
        Assert.Equal("/events/orders", routes.GetProperty("default").GetString());
        var rules = routes.GetProperty("rules").EnumerateArray().ToDictionary(r => r.GetProperty("path").GetString()!, r => r.GetProperty("match").GetString());
        Assert.Equal("event.type == \"daprorders.order.completed.v1\"", rules[CompletedPath]);
        Assert.Equal("event.type == \"daprorders.order.cancelled.v1\"", rules[CancelledPath]);
    }

    [Fact]
    public async Task Webhook_channel_invokes_the_http_output_binding()
    {
        await using var app = new NotificationApp(_sidecar, new Dictionary<string, string?>
        {
            ["Notification:Channel"] = "webhook",
            ["Notification:BindingName"] = "customer-webhook",
            ["Notification:WebhookPath"] = "/hooks/orders",
        });
        using var client = app.CreateClient();

        Assert.Equal("SUCCESS", await app.DeliverAsync(client, CompletedPath, EventTypes.OrderCompleted, Completed("o-10")));

        var binding = Assert.Single(_sidecar.Requests, r => r.Path.StartsWith("/v1.0/bindings/", StringComparison.Ordinal));
        Assert.Equal("/v1.0/bindings/customer-webhook", binding.Path);
        Assert.Equal("application/json", binding.ContentType);
        Assert.Equal("sidecar-token", binding.Headers["dapr-api-token"]);
        var body = binding.Json();
        Assert.Equal("post", body.GetProperty("operation").GetString());
        Assert.Equal("o-10", body.GetProperty("data").GetProperty("orderId").GetString());
        Assert.Equal("/hooks/orders", body.GetProperty("metadata").GetProperty("path").GetString());
        Assert.Equal("o-10", body.GetProperty("metadata").GetProperty("Idempotency-Key").GetString());
        Assert.Null(_sidecar.GetState(StoredNotificationChannel.MailboxKey("o-10")));
        Assert.Contains("\"channel\":\"webhook\"", Assert.Single(_sidecar.Publishes).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_channel_without_a_binding_name_fails_at_startup()
    {
        await using var app = new NotificationApp(_sidecar, new Dictionary<string, string?> { ["Notification:Channel"] = "webhook" });
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.IsType<OptionsValidationException>(error.GetBaseException());
    }

    [Theory]
    [InlineData("Notification:ClaimTimeout", "00:00:00.5", "ClaimTimeout")]
    [InlineData("Notification:ClaimTimeout", "02:00:00", "ClaimTimeout")]
    [InlineData("Notification:RecentLimit", "0", "RecentLimit")]
    public async Task A_setting_outside_its_range_fails_at_startup_naming_it(string key, string value, string member)
    {
        await using var app = new NotificationApp(_sidecar, new Dictionary<string, string?> { [key] = value });
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        var validation = Assert.IsType<OptionsValidationException>(error.GetBaseException());
        Assert.Contains(validation.Failures, f => f.Contains(member, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Api_is_described_in_openapi_without_the_sidecar_endpoints()
    {
        await using var app = new NotificationApp(_sidecar);
        using var client = app.CreateClient();

        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;
        var path = Assert.Single(document.GetProperty("paths").EnumerateObject());
        Assert.Equal("/notifications", path.Name);
        Assert.Equal("ListNotifications", path.Value.GetProperty("get").GetProperty("operationId").GetString());
    }

    [Fact]
    public async Task Service_starts_on_kestrel_with_settings_from_configuration()
    {
        await using var app = new NotificationApp(_sidecar, new Dictionary<string, string?> { ["Notification:PubsubName"] = "otherpubsub" });
        app.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.NotEqual("localhost", client.BaseAddress!.Host);
        var subscription = JsonDocument.Parse(await client.GetStringAsync("/dapr/subscribe")).RootElement[0];
        Assert.Equal("otherpubsub", subscription.GetProperty("pubsubname").GetString());
    }

    private sealed class ScriptedChannel : INotificationChannel
    {
        private readonly List<OrderNotification> _delivered = [];

        public int FailuresLeft { get; set; }

        public int Attempts { get; private set; }

        public IReadOnlyList<OrderNotification> Delivered => _delivered;

        public string Name => "scripted";

        public Task SendAsync(OrderNotification notification, CancellationToken cancellationToken = default)
        {
            Attempts++;
            if (FailuresLeft > 0)
            {
                FailuresLeft--;
                throw new HttpRequestException("mail server down");
            }

            _delivered.Add(notification);
            return Task.CompletedTask;
        }
    }
}
