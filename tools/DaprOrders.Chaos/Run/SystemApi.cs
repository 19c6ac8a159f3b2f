using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DaprOrders.Chaos.Harness;
using DaprOrders.Contracts;

namespace DaprOrders.Chaos.Run;

/// <summary>An order as <c>GET /orders/{id}</c> shows it.</summary>
public sealed record OrderState(string OrderId, string Status, string? Reason, long Total, string Currency, IReadOnlyList<(string Sku, int Quantity)> Lines)
{
    public bool IsTerminal => Status is "Completed" or "Cancelled";
}

/// <summary>A dead letter as <c>GET /deadletters</c> lists it.</summary>
public sealed record DeadLetterState(string Id, string? Type, string? OrderId, string Status, int Attempts);

/// <summary>
/// The services' public HTTP APIs, as any client of the running system could call them: the chaos run reads its
/// invariants only through these (plus the emulator's counters), never through the services' internals.
/// </summary>
public sealed class SystemApi(ChaosSystem system)
{
    public const string StructuredMediaType = "application/cloudevents+json";

    private HttpClient Ordering => system.Api(AppIds.Ordering);

    private HttpClient Inventory => system.Api(AppIds.Inventory);

    private HttpClient Payment => system.Api(AppIds.Payment);

    private HttpClient Notification => system.Api(AppIds.Notification);

    private HttpClient Audit => system.Api(AppIds.Audit);

    /// <summary>A structured <c>daprorders.order.submitted.v1</c> CloudEvent.</summary>
    public static string SubmittedEvent(string source, string id, string customerId, string currency, IEnumerable<(string Sku, int Quantity, long UnitPrice)> lines)
    {
        var data = new JsonObject
        {
            ["customerId"] = customerId,
            ["currency"] = currency,
            ["lines"] = new JsonArray([.. lines.Select(l => (JsonNode)new JsonObject { ["sku"] = l.Sku, ["quantity"] = l.Quantity, ["unitPrice"] = l.UnitPrice })]),
        };
        return new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = id,
            ["source"] = source,
            ["type"] = EventTypes.OrderSubmitted,
            ["datacontenttype"] = "application/json",
            ["data"] = data,
        }.ToJsonString();
    }

    /// <summary>POST /orders with a structured CloudEvent: the status and, when accepted, the order id.</summary>
    public async Task<(HttpStatusCode Status, string? OrderId)> SubmitAsync(string cloudEvent, CancellationToken cancellationToken = default)
    {
        using var content = new StringContent(cloudEvent);
        content.Headers.ContentType = new MediaTypeHeaderValue(StructuredMediaType);
        using var response = await Ordering.PostAsync("orders", content, cancellationToken);
        string? orderId = null;
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            orderId = (await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken))?["orderId"]?.GetValue<string>();
        }

        return (response.StatusCode, orderId);
    }

    public async Task<OrderState?> GetOrderAsync(string orderId, CancellationToken cancellationToken = default)
    {
        using var response = await Ordering.GetAsync($"orders/{orderId}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        var order = (await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken))!;
        return new OrderState(
            orderId,
            order["status"]!.GetValue<string>(),
            order["cancellationReason"]?.GetValue<string>(),
            order["total"]!["amount"]!.GetValue<long>(),
            order["total"]!["currency"]!.GetValue<string>(),
            [.. order["lines"]!.AsArray().Select(l => (l!["sku"]!.GetValue<string>(), l["quantity"]!.GetValue<int>()))]);
    }

    public async Task SetStockAsync(string sku, int available, CancellationToken cancellationToken = default)
    {
        using var response = await Inventory.PutAsJsonAsync($"stock/{sku}", new JsonObject { ["available"] = available }, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"PUT /stock/{sku} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    public async Task<(int Available, int Reserved, int Committed)> GetStockAsync(string sku, CancellationToken cancellationToken = default)
    {
        var stock = (await Inventory.GetFromJsonAsync<JsonNode>($"stock/{sku}", cancellationToken))!;
        return (stock["available"]!.GetValue<int>(), stock["reserved"]!.GetValue<int>(), stock["committed"]!.GetValue<int>());
    }

    /// <summary>How often Payment's record of the order went to Charged and to Refunded (0, 0 when there is no record).</summary>
    public async Task<(int Charged, int Refunded)> GetPaymentTransitionsAsync(string orderId, CancellationToken cancellationToken = default)
    {
        using var response = await Payment.GetAsync($"payments/{orderId}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return (0, 0);
        }

        response.EnsureSuccessStatusCode();
        var history = (await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken))!["history"]!.AsArray();
        return (history.Count(h => h!["status"]!.GetValue<string>() == "Charged"), history.Count(h => h!["status"]!.GetValue<string>() == "Refunded"));
    }

    /// <summary>The gateway's ledger: approved charges and refunds per currency, and the number of approved charges.</summary>
    public async Task<(IReadOnlyDictionary<string, long> Charged, IReadOnlyDictionary<string, long> Refunded, int Charges, int Refunds)> GetLedgerAsync(
        CancellationToken cancellationToken = default)
    {
        var ledger = (await Payment.GetFromJsonAsync<JsonNode>("payments/ledger/summary", cancellationToken))!;
        static Dictionary<string, long> Totals(JsonNode? list) =>
            list!.AsArray().ToDictionary(m => m!["currency"]!.GetValue<string>(), m => m!["amount"]!.GetValue<long>(), StringComparer.Ordinal);
        return (Totals(ledger["charged"]), Totals(ledger["refunded"]), ledger["count"]!.GetValue<int>(), ledger["refundCount"]!.GetValue<int>());
    }

    public async Task<int> CountNotificationsAsync(string orderId, CancellationToken cancellationToken = default) =>
        (await Notification.GetFromJsonAsync<JsonNode>($"notifications?orderId={orderId}", cancellationToken))!.AsArray().Count;

    /// <summary>Event types on Audit's timeline of the order (delivered events only, in arrival order).</summary>
    public async Task<IReadOnlyList<string>> GetTimelineTypesAsync(string orderId, CancellationToken cancellationToken = default)
    {
        using var response = await Audit.GetAsync($"audit/orders/{orderId}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }

        response.EnsureSuccessStatusCode();
        var timeline = (await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken))!;
        return [.. timeline["events"]!.AsArray().Where(e => e!["kind"]?.GetValue<string>() == "event").Select(e => e!["type"]!.GetValue<string>())];
    }

    /// <summary>Dead letters in a status (Pending, Replayed, Discarded), newest or oldest first as Audit lists them.</summary>
    public async Task<IReadOnlyList<DeadLetterState>> GetDeadLettersAsync(string status, CancellationToken cancellationToken = default)
    {
        var list = (await Audit.GetFromJsonAsync<JsonNode>($"deadletters?status={status}&limit=1000", cancellationToken))!.AsArray();
        return [.. list.Select(d => new DeadLetterState(
            d!["id"]!.GetValue<string>(),
            d["type"]?.GetValue<string>(),
            d["orderId"]?.GetValue<string>(),
            d["status"]!.GetValue<string>(),
            d["attempts"]!.GetValue<int>()))];
    }

    public async Task ReplayDeadLetterAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await Audit.PostAsync($"deadletters/{Uri.EscapeDataString(id)}/replay", content: null, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /deadletters/{id}/replay answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }
}
