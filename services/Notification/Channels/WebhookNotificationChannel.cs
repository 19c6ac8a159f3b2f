using Dapr.Client;
using DaprOrders.Notification.Notifications;
using Microsoft.Extensions.Options;

namespace DaprOrders.Notification.Channels;

/// <summary>
/// Posts the notification to a webhook through a Dapr HTTP output binding (<c>bindings.http</c>), operation
/// <c>post</c> with metadata <c>path</c>. The binding owns the URL and credentials; metadata other than <c>path</c>
/// reaches the receiver as HTTP headers, which carries the idempotency key.
/// Dapr docs: reference/api/bindings_api, reference/components-reference/supported-bindings/http
/// </summary>
public sealed class WebhookNotificationChannel(DaprClient dapr, IOptions<NotificationOptions> options) : IExternalNotificationChannel
{
    public const string Operation = "post";

    public string Name => NotificationOptions.WebhookChannel;

    public Task SendAsync(OrderNotification notification, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var settings = options.Value;
        var bindingName = settings.BindingName
            ?? throw new InvalidOperationException($"{NotificationOptions.SectionName}:BindingName is required for the webhook channel.");
        return dapr.InvokeBindingAsync(bindingName, Operation, notification, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["path"] = settings.WebhookPath,
            ["Content-Type"] = "application/json",
            ["Idempotency-Key"] = notification.OrderId,
        }, cancellationToken);
    }
}
