using Dapr.Client;
using DaprOrders.Contracts;
using DaprOrders.Notification.Channels;
using DaprOrders.Notification.Notifications;
using Microsoft.Extensions.Options;
using NSubstitute;

namespace DaprOrders.Notification.Tests;

/// <summary>
/// The webhook channel invokes the HTTP output binding through DaprClient. The emulator has no bindings, so the client
/// is substituted: what is checked is the request the SDK is asked to send.
/// </summary>
public sealed class WebhookNotificationChannelTests
{
    [Fact]
    public async Task Webhook_channel_invokes_the_http_output_binding_with_path_and_idempotency_key()
    {
        var dapr = Substitute.For<DaprClient>();
        var options = Options.Create(new NotificationOptions
        {
            Channel = NotificationOptions.WebhookChannel,
            BindingName = "customer-webhook",
            WebhookPath = "/hooks/orders",
        });
        var channel = new WebhookNotificationChannel(dapr, options);
        var notification = new OrderNotification("o-10", "c-42", NotificationKind.OrderCompleted, "Your order shipped", DateTimeOffset.UnixEpoch);

        await channel.SendAsync(notification);

        await dapr.Received(1).InvokeBindingAsync("customer-webhook", "post", notification,
            Arg.Is<IReadOnlyDictionary<string, string>>(m => m["path"] == "/hooks/orders" && m["Idempotency-Key"] == "o-10"
                && m["Content-Type"] == "application/json"),
            Arg.Any<CancellationToken>());
        Assert.Equal("webhook", channel.Name);
    }
}
