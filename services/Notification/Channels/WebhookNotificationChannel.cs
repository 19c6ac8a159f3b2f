using System.Net.Http.Headers;
using System.Text.Json;
using DaprOrders.Notification.Notifications;
using DaprOrders.Sidecar;
using Microsoft.Extensions.Options;

namespace DaprOrders.Notification.Channels;

/// <summary>
/// Posts the notification to a webhook through a Dapr HTTP output binding (<c>bindings.http</c>):
/// <c>POST /v1.0/bindings/{name}</c> with <c>{"operation":"post","data":...,"metadata":{"path":...}}</c>.
/// The binding owns the URL and credentials; metadata other than <c>path</c> reaches the receiver as HTTP headers,
/// which carries the idempotency key. DaprOrders.Sidecar has no bindings API, so this channel sends the request with
/// its own typed HttpClient, configured like the sidecar client (same endpoint and API token).
/// Dapr docs: reference/api/bindings_api, reference/components-reference/supported-bindings/http
/// </summary>
public sealed class WebhookNotificationChannel(
    HttpClient http,
    IOptions<DaprSidecarOptions> sidecarOptions,
    IOptions<NotificationOptions> options) : INotificationChannel
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    public string Name => NotificationOptions.WebhookChannel;

    public async Task SendAsync(OrderNotification notification, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var settings = options.Value;
        var bindingName = settings.BindingName
            ?? throw new InvalidOperationException($"{NotificationOptions.SectionName}:BindingName is required for the webhook channel.");

        var body = new BindingRequest("post", notification, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["path"] = settings.WebhookPath,
            ["Content-Type"] = "application/json",
            ["Idempotency-Key"] = notification.OrderId,
        });
        var endpoint = sidecarOptions.Value.HttpEndpoint.GetLeftPart(UriPartial.Path).TrimEnd('/');
        using var request = new HttpRequestMessage(HttpMethod.Post,
            new Uri($"{endpoint}/v1.0/bindings/{Uri.EscapeDataString(bindingName)}", UriKind.Absolute));
        if (sidecarOptions.Value.ApiToken is { Length: > 0 } token)
        {
            request.Headers.TryAddWithoutValidation("dapr-api-token", token);
        }

        request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, NotificationJsonContext.Default.BindingRequest));
        request.Content.Headers.ContentType = JsonMediaType;

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new DaprSidecarUnavailableException(sidecarOptions.Value.HttpEndpoint,
                $"Could not reach the Dapr sidecar at {endpoint} to invoke binding '{bindingName}': {ex.Message}", ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                throw new DaprApiException(response.StatusCode, errorCode: null, text, text, $"POST /v1.0/bindings/{bindingName}");
            }
        }
    }
}

/// <summary>Body of <c>POST /v1.0/bindings/{name}</c>.</summary>
public sealed record BindingRequest(string Operation, OrderNotification Data, IReadOnlyDictionary<string, string> Metadata);
