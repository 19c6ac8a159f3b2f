using System.Net;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using CloudNative.CloudEvents.SystemTextJson;
using DaprOrders.Contracts;

namespace DaprOrders.OrderCli;

/// <summary>What Ordering answered to one submitted event: the order it created (or found), or the refusal.</summary>
public sealed record SubmitResult(OrderSubmissionEvent Event, HttpStatusCode Status, string? OrderId, string? Problem)
{
    public bool Accepted => Status == HttpStatusCode.Accepted && OrderId is not null;
}

/// <summary>The state of an order as <c>GET /orders/{id}</c> shows it.</summary>
public sealed record OrderView(string OrderId, string Status, string? Reason)
{
    public const string Completed = "Completed";
    public const string Cancelled = "Cancelled";

    public bool IsTerminal => Status is Completed or Cancelled;
}

/// <summary>
/// HTTP client for Ordering's public API: <c>POST /orders</c> in the three CloudEvents modes and <c>GET /orders/{id}</c>.
/// Uses the <see cref="HttpClient.BaseAddress"/> it is given (e.g. http://127.0.0.1:5100).
/// </summary>
public sealed class OrderIntakeClient(HttpClient http)
{
    public const string StructuredMediaType = "application/cloudevents+json";
    public const string BatchMediaType = "application/cloudevents-batch+json";

    // The CloudEvents SDK writes the events in all three modes (JSON event format; ce-* headers in binary mode).
    private static readonly JsonEventFormatter Formatter = new();

    public async Task<SubmitResult> SubmitAsync(OrderSubmissionEvent cloudEvent, SubmissionMode mode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (mode == SubmissionMode.Batch)
        {
            return (await SubmitBatchAsync([cloudEvent], cancellationToken))[0];
        }

        using var request = mode == SubmissionMode.Binary ? BinaryRequest(cloudEvent) : StructuredRequest(cloudEvent);
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var orderId = response.IsSuccessStatusCode ? OrderIdFromLocation(response.Headers.Location) ?? OrderIdsFromBody(body).FirstOrDefault() : null;
        return new SubmitResult(cloudEvent, response.StatusCode, orderId, response.IsSuccessStatusCode ? null : body);
    }

    /// <summary>Sends up to 100 events in one <c>application/cloudevents-batch+json</c> request.</summary>
    public async Task<IReadOnlyList<SubmitResult>> SubmitBatchAsync(IReadOnlyList<OrderSubmissionEvent> cloudEvents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cloudEvents);
        using var request = new HttpRequestMessage(HttpMethod.Post, "orders")
        {
            Content = cloudEvents.Select(ToCloudEvent).ToList().ToHttpContent(Formatter),
        };
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return [.. cloudEvents.Select(e => new SubmitResult(e, response.StatusCode, null, body))];
        }

        var ids = OrderIdsFromBody(body);
        if (ids.Count != cloudEvents.Count)
        {
            // The body did not list the orders one by one: the ids follow from each event's source + id anyway.
            ids = [.. cloudEvents.Select(e => OrderIds.Derive(e.Source, e.Id))];
        }

        return [.. cloudEvents.Select((e, i) => new SubmitResult(e, response.StatusCode, i < ids.Count ? ids[i] : null, null))];
    }

    /// <summary>The order, or null when Ordering does not know it (404).</summary>
    public async Task<OrderView?> GetOrderAsync(string orderId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(orderId);
        using var response = await http.GetAsync(new Uri("orders/" + Uri.EscapeDataString(orderId), UriKind.Relative), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken), default);
        return ReadOrder(orderId, document.RootElement);
    }

    /// <summary>Reads the order document: <c>status</c>, and the cancellation reason from the last history entry that has one.</summary>
    public static OrderView ReadOrder(string orderId, JsonElement order)
    {
        var status = order.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "Unknown";
        string? reason = null;
        foreach (var name in (string[])["cancellationReason", "reason"])
        {
            if (order.TryGetProperty(name, out var r) && r.ValueKind == JsonValueKind.String)
            {
                reason = r.GetString();
                break;
            }
        }

        if (reason is null && order.TryGetProperty("history", out var history) && history.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in history.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String)
                {
                    reason = r.GetString();
                }
            }
        }

        return new OrderView(orderId, status, reason);
    }

    private static HttpRequestMessage StructuredRequest(OrderSubmissionEvent cloudEvent) =>
        new(HttpMethod.Post, "orders") { Content = ToCloudEvent(cloudEvent).ToHttpContent(ContentMode.Structured, Formatter) };

    private static HttpRequestMessage BinaryRequest(OrderSubmissionEvent cloudEvent) =>
        new(HttpMethod.Post, "orders") { Content = ToCloudEvent(cloudEvent).ToHttpContent(ContentMode.Binary, Formatter) };

    /// <summary>The submission as the CloudEvents SDK's event: the data is the submission's JSON.</summary>
    public static CloudEvent ToCloudEvent(OrderSubmissionEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        return new CloudEvent
        {
            Id = cloudEvent.Id,
            Source = new Uri(cloudEvent.Source, UriKind.RelativeOrAbsolute),
            Type = EventTypes.OrderSubmitted,
            Time = cloudEvent.Time,
            DataContentType = "application/json",
            Data = JsonSerializer.SerializeToElement(cloudEvent.Data, ContractsJsonContext.Default.OrderSubmission),
        };
    }

    public static byte[] WriteStructured(OrderSubmissionEvent cloudEvent) =>
        Formatter.EncodeStructuredModeMessage(ToCloudEvent(cloudEvent), out _).ToArray();

    public static byte[] WriteBatch(IReadOnlyList<OrderSubmissionEvent> cloudEvents)
    {
        ArgumentNullException.ThrowIfNull(cloudEvents);
        return Formatter.EncodeBatchModeMessage(cloudEvents.Select(ToCloudEvent), out _).ToArray();
    }

    private static string? OrderIdFromLocation(Uri? location)
    {
        if (location is null)
        {
            return null;
        }

        var path = location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString.Split('?', '#')[0];
        var segment = path.TrimEnd('/').Split('/')[^1];
        return segment.Length == 0 ? null : Uri.UnescapeDataString(segment);
    }

    /// <summary>
    /// Order ids from a 202 body, in submission order: an array (or an <c>orders</c> array) whose entries carry
    /// <c>orderId</c>/<c>id</c> or a <c>location</c>.
    /// </summary>
    private static List<string> OrderIdsFromBody(string body)
    {
        var ids = new List<string>();
        if (string.IsNullOrWhiteSpace(body))
        {
            return ids;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("orders", out var orders) && orders.ValueKind == JsonValueKind.Array)
                {
                    root = orders;
                }
                else
                {
                    return OrderIdOf(root) is { } one ? [one] : ids;
                }
            }

            if (root.ValueKind == JsonValueKind.Array)
            {
                ids.AddRange(root.EnumerateArray().Select(OrderIdOf).OfType<string>());
            }
        }
        catch (JsonException)
        {
            // Not JSON: the caller falls back to the Location header.
        }

        return ids;
    }

    private static string? OrderIdOf(JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var name in (string[])["orderId", "id"])
        {
            if (entry.TryGetProperty(name, out var id) && id.ValueKind == JsonValueKind.String)
            {
                return id.GetString();
            }
        }

        return entry.TryGetProperty("location", out var location) && location.ValueKind == JsonValueKind.String
            ? OrderIdFromLocation(new Uri(location.GetString()!, UriKind.RelativeOrAbsolute))
            : null;
    }
}
