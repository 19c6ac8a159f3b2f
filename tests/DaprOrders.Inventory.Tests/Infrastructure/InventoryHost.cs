using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DaprOrders.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DaprOrders.Inventory.Tests.Infrastructure;

/// <summary>The Inventory service in-process (TestServer) wired to a <see cref="FakeDaprSidecar"/>.</summary>
public sealed class InventoryHost : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> _factory;

    private InventoryHost(FakeDaprSidecar sidecar, WebApplicationFactory<Program> factory)
    {
        Sidecar = sidecar;
        _factory = factory;
        Client = factory.CreateClient();
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorToken);
        sidecar.AppClient = () => Client;
    }

    /// <summary>The operator token the service is given; <see cref="Client"/> sends it.</summary>
    public const string OperatorToken = "inventory-tests-operator-token";

    public FakeDaprSidecar Sidecar { get; }

    public IServiceProvider Services => _factory.Services;

    /// <summary>A client of the same service without any credential.</summary>
    public HttpClient CreateAnonymousClient() => _factory.CreateClient();

    public HttpClient Client { get; }

    public static async Task<InventoryHost> StartAsync(IReadOnlyDictionary<string, string?>? settings = null,
        Action<FakeDaprSidecar>? prepare = null)
    {
        var sidecar = await FakeDaprSidecar.StartAsync();
        prepare?.Invoke(sidecar);
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("DAPR_HTTP_ENDPOINT", sidecar.Url.ToString().TrimEnd('/'));
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("OperatorAccess:Token", OperatorToken);
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                builder.UseSetting(key, value);
            }
        });
        return new InventoryHost(sidecar, factory);
    }

    public async Task SetStockAsync(string sku, int available)
    {
        using var response = await Client.PutAsync(new Uri($"/stock/{sku}", UriKind.Relative),
            new StringContent($$"""{"available":{{available}}}""", Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }

    public async Task<JsonElement> GetStockAsync(string sku)
    {
        using var response = await Client.GetAsync(new Uri($"/stock/{sku}", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>Delivers a CloudEvent the way daprd does and returns the <c>status</c> the app answered (or the HTTP status).</summary>
    public async Task<string> DeliverAsync(string route, string type, JsonNode? data)
    {
        var cloudEvent = new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = Guid.NewGuid().ToString(),
            ["source"] = "ordering",
            ["type"] = type,
            ["datacontenttype"] = "application/json",
            ["topic"] = "orders",
            ["pubsubname"] = "pubsub",
            ["data"] = data,
        };
        using var content = new StringContent(cloudEvent.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json");
        using var response = await Client.PostAsync(new Uri(route, UriKind.Relative), content);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            return ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return JsonDocument.Parse(body).RootElement.GetProperty("status").GetString()!;
    }

    public Task<string> OrderCreatedAsync(string orderId, params (string Sku, int Quantity)[] lines) =>
        DeliverAsync("/events/orders/created", "daprorders.order.created.v1", new JsonObject
        {
            ["orderId"] = orderId,
            ["customerId"] = "c-1",
            ["currency"] = "EUR",
            ["lines"] = new JsonArray([.. lines.Select(l => (JsonNode)new JsonObject { ["sku"] = l.Sku, ["quantity"] = l.Quantity, ["unitPrice"] = 100 })]),
            ["total"] = new JsonObject { ["amount"] = lines.Sum(l => l.Quantity) * 100, ["currency"] = "EUR" },
            ["createdAt"] = "2026-01-01T00:00:00Z",
        });

    public Task<string> OrderCancelledAsync(string orderId) =>
        DeliverAsync("/events/orders/cancelled", "daprorders.order.cancelled.v1", new JsonObject
        {
            ["orderId"] = orderId,
            ["customerId"] = "c-1",
            ["reason"] = "deadline-exceeded",
            ["cancelledAt"] = "2026-01-01T00:02:00Z",
        });

    public Task<string> OrderCompletedAsync(string orderId) =>
        DeliverAsync("/events/orders/completed", "daprorders.order.completed.v1", new JsonObject
        {
            ["orderId"] = orderId,
            ["customerId"] = "c-1",
            ["total"] = new JsonObject { ["amount"] = 100, ["currency"] = "EUR" },
            ["completedAt"] = "2026-01-01T00:01:00Z",
        });

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
        await Sidecar.DisposeAsync();
    }
}
