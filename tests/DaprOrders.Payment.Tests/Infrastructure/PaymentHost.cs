using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DaprOrders.Payment.Gateway;
using DaprOrders.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.Payment.Tests.Infrastructure;

/// <summary>The Payment service in-process (TestServer) wired to a <see cref="FakeDaprSidecar"/>.</summary>
public sealed class PaymentHost : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> _factory;

    private PaymentHost(FakeDaprSidecar sidecar, WebApplicationFactory<Program> factory)
    {
        Sidecar = sidecar;
        _factory = factory;
        Client = factory.CreateClient();
    }

    public FakeDaprSidecar Sidecar { get; }

    public HttpClient Client { get; }

    public SimulatedPaymentGateway Gateway => _factory.Services.GetRequiredService<SimulatedPaymentGateway>();

    public static async Task<PaymentHost> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var sidecar = await FakeDaprSidecar.StartAsync();
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("DAPR_HTTP_ENDPOINT", sidecar.Url.ToString().TrimEnd('/'));
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                builder.UseSetting(key, value);
            }
        });
        try
        {
            return new PaymentHost(sidecar, factory);
        }
        catch
        {
            await factory.DisposeAsync();
            await sidecar.DisposeAsync();
            throw;
        }
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
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(body).RootElement.GetProperty("status").GetString()!
            : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public Task<string> PaymentRequestedAsync(string orderId, string customerId = "alice", long amount = 1999, string currency = "EUR") =>
        DeliverAsync("/events/orders/payment-requested", "daprorders.payment.requested.v1", new JsonObject
        {
            ["orderId"] = orderId,
            ["customerId"] = customerId,
            ["amount"] = new JsonObject { ["amount"] = amount, ["currency"] = currency },
            ["requestedAt"] = "2026-01-01T00:00:00Z",
        });

    public Task<string> OrderCancelledAsync(string orderId, string customerId = "alice") =>
        DeliverAsync("/events/orders/cancelled", "daprorders.order.cancelled.v1", new JsonObject
        {
            ["orderId"] = orderId,
            ["customerId"] = customerId,
            ["reason"] = "deadline-exceeded",
            ["cancelledAt"] = "2026-01-01T00:02:00Z",
        });

    public async Task<JsonElement> GetPaymentAsync(string orderId)
    {
        using var response = await Client.GetAsync(new Uri($"/payments/{orderId}", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public async Task<JsonElement> GetLedgerSummaryAsync() =>
        JsonDocument.Parse(await Client.GetStringAsync(new Uri("/payments/ledger/summary", UriKind.Relative))).RootElement.Clone();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
        await Sidecar.DisposeAsync();
    }
}
