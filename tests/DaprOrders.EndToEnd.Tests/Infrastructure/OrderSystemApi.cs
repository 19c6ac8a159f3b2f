using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using DaprOrders.Contracts;
using DaprOrders.OrderCli;

namespace DaprOrders.EndToEnd.Tests.Infrastructure;

/// <summary>Stock levels of one SKU as Inventory's <c>GET /stock/{sku}</c> shows them.</summary>
public sealed record StockLevel(string Sku, int Available, int Reserved, int Committed);

/// <summary>
/// The services' public HTTP APIs as the tests use them: only what a client of the running system could call.
/// </summary>
public static class OrderSystemApi
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static OrderIntakeClient Intake(this OrderSystem system) => new(system.Ordering);

    /// <summary>Submits a structured CloudEvent and returns the order id (asserting 202 Accepted).</summary>
    public static async Task<string> SubmitAsync(this OrderSystem system, OrderSubmission submission, SubmissionMode mode = SubmissionMode.Structured)
    {
        var result = await system.Intake().SubmitAsync(OrderSubmissionEvent.Create(submission), mode);
        Assert.True(result.Accepted, $"POST /orders answered {(int)result.Status}: {result.Problem}");
        return result.OrderId!;
    }

    public static async Task<OrderView> GetOrderAsync(this OrderSystem system, string orderId) =>
        await system.Intake().GetOrderAsync(orderId) ?? throw new InvalidOperationException($"order {orderId} not found");

    /// <summary>The whole order document (status, cancellationReason, history, ...).</summary>
    public static async Task<JsonObject> GetOrderDocumentAsync(this OrderSystem system, string orderId) =>
        (JsonObject)(await system.Ordering.GetFromJsonAsync<JsonNode>($"orders/{orderId}"))!;

    public static Task<OrderView> WaitForStatusAsync(this OrderSystem system, string orderId, string status, TimeSpan? timeout = null) =>
        Eventually.UntilAsync(() => system.GetOrderAsync(orderId), o => o.Status == status, $"order {orderId} to be {status}", timeout);

    public static Task<OrderView> WaitForTerminalAsync(this OrderSystem system, string orderId, TimeSpan? timeout = null) =>
        Eventually.UntilAsync(() => system.GetOrderAsync(orderId), o => o.IsTerminal, $"order {orderId} to be Completed or Cancelled", timeout);

    public static async Task SetStockAsync(this OrderSystem system, string sku, int available)
    {
        using var response = await system.Inventory.PutAsJsonAsync($"stock/{sku}", new { available });
        Assert.True(response.IsSuccessStatusCode, $"PUT /stock/{sku} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    public static async Task<StockLevel> GetStockAsync(this OrderSystem system, string sku) =>
        (await system.Inventory.GetFromJsonAsync<StockLevel>($"stock/{sku}", Web))!;

    /// <summary>Notifications Notification sent for the order (zero or one).</summary>
    public static async Task<JsonArray> GetNotificationsAsync(this OrderSystem system, string orderId) =>
        (JsonArray)(await system.Notification.GetFromJsonAsync<JsonNode>($"notifications?orderId={orderId}"))!;

    /// <summary>
    /// Types on Audit's timeline of the order (<c>GET /audit/orders/{id}</c>), in the order Audit received them; only
    /// delivered events (dead-letter arrivals are separate entries). Empty while Audit knows nothing of the order.
    /// </summary>
    public static async Task<IReadOnlyList<string>> GetAuditTimelineTypesAsync(this OrderSystem system, string orderId) =>
        [.. (await system.GetAuditTimelineAsync(orderId)).Select(e => e.Type)];

    /// <summary>Audit's timeline of the order as (CloudEvent type, CloudEvent id) of each delivered event.</summary>
    public static async Task<IReadOnlyList<(string Type, string EventId)>> GetAuditTimelineAsync(this OrderSystem system, string orderId)
    {
        using var response = await system.Audit.GetAsync($"audit/orders/{orderId}");
        if (response.IsNotFound())
        {
            return [];
        }

        response.EnsureSuccessStatusCode();
        var timeline = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        return
        [
            .. timeline["events"]!.AsArray()
                .Where(e => e!["kind"]?.GetValue<string>() == "event")
                .Select(e => (e!["type"]!.GetValue<string>(), e["eventId"]!.GetValue<string>())),
        ];
    }

    /// <summary>The dead letter (summary from <c>GET /deadletters</c>) of the order's event of <paramref name="type"/>, if any.</summary>
    public static async Task<JsonObject?> FindDeadLetterAsync(this OrderSystem system, string orderId, string type)
    {
        var list = (await system.Audit.GetFromJsonAsync<JsonNode>("deadletters"))!.AsArray();
        return list.OfType<JsonObject>().FirstOrDefault(d =>
            d["orderId"]?.GetValue<string>() == orderId && d["type"]?.GetValue<string>() == type);
    }

    public static async Task ReplayDeadLetterAsync(this OrderSystem system, JsonObject deadLetter)
    {
        var id = deadLetter["id"]!.GetValue<string>();
        using var response = await system.Audit.PostAsync($"deadletters/{Uri.EscapeDataString(id)}/replay", content: null);
        Assert.True(response.IsSuccessStatusCode, $"POST /deadletters/{id}/replay answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Payment's record of the order (<c>GET /payments/{orderId}</c>), or null before Payment heard of it.</summary>
    public static async Task<JsonObject?> GetPaymentAsync(this OrderSystem system, string orderId)
    {
        using var response = await system.Payment.GetAsync($"payments/{orderId}");
        if (response.IsNotFound())
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return (JsonObject)(await response.Content.ReadFromJsonAsync<JsonNode>())!;
    }

    /// <summary>How often the order was charged: <c>Charged</c> transitions in Payment's record of it.</summary>
    public static async Task<int> CountChargesAsync(this OrderSystem system, string orderId) =>
        await system.GetPaymentAsync(orderId) is { } payment
            ? payment["history"]!.AsArray().Count(h => h!["status"]!.GetValue<string>() == "Charged")
            : 0;

    /// <summary>The simulated gateway's ledger (<c>GET /payments/ledger/summary</c>): approved charges and refunds over all orders.</summary>
    public static async Task<JsonObject> GetLedgerSummaryAsync(this OrderSystem system) =>
        (JsonObject)(await system.Payment.GetFromJsonAsync<JsonNode>("payments/ledger/summary"))!;

    /// <summary>Approved charges the simulated gateway made, over all orders (its ledger counts one per idempotency key).</summary>
    public static async Task<int> CountApprovedChargesAsync(this OrderSystem system)
    {
        var summary = await system.GetLedgerSummaryAsync();
        return (summary["chargeCount"] ?? summary["count"])!.GetValue<int>();
    }

    /// <summary>The distinct events of the order published on the topics (as Audit received them), by type.</summary>
    public static IReadOnlyList<string> PublishedTypes(this OrderSystem system, string orderId) =>
        [.. system.Deliveries.PublishedEvents().Where(e => e["data"]?["orderId"]?.GetValue<string>() == orderId).Select(e => e["type"]!.GetValue<string>())];

    public static int CountPublished(this OrderSystem system, string orderId, string type) =>
        system.PublishedTypes(orderId).Count(t => t == type);

    public static async Task<HttpResponseMessage> PostRawAsync(this OrderSystem system, string contentType, string body, IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "orders") { Content = new StringContent(body) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(name, value);
        }

        return await system.Ordering.SendAsync(request);
    }

    public static bool IsNotFound(this HttpResponseMessage response) => response.StatusCode == HttpStatusCode.NotFound;
}
