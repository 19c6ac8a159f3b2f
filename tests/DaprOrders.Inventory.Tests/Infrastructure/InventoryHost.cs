using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DaprOrders.Contracts;
using DaprOrders.Emulator.PubSub;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DaprOrders.Inventory.Tests.Infrastructure;

/// <summary>An event Inventory published, as the recording subscriber received it.</summary>
public sealed record PublishedEvent(string? Topic, string? Type, string? Id, JsonElement Data);

/// <summary>
/// The Inventory service in-process with the emulator as its sidecar (<see cref="ServiceOnEmulator{TProgram}"/>): state and
/// publishes go over gRPC, Stock actor calls through the emulator's actor API back into the service. What it publishes
/// on <c>inventory</c> is recorded; <see cref="Faults"/> makes chosen sidecar calls of the service fail.
/// </summary>
public sealed class InventoryHost : IAsyncDisposable
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(30);

    private readonly ServiceOnEmulator<Program> _service;

    private InventoryHost(ServiceOnEmulator<Program> service, SidecarFaults faults)
    {
        _service = service;
        Faults = faults;
    }

    /// <summary>The operator token the service is given; <see cref="Client"/> sends it.</summary>
    public const string OperatorToken = "inventory-tests-operator-token";

    public SidecarFaults Faults { get; }

    public HttpClient Client => _service.Client;

    /// <summary>A client of the same service without any credential.</summary>
    public HttpClient CreateAnonymousClient() => new() { BaseAddress = _service.Client.BaseAddress };

    public IServiceProvider Services => _service.Services;

    /// <param name="clock">The service's clock (the emulator keeps the system clock); the system clock when null.</param>
    public static async Task<InventoryHost> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, FakeTimeProvider? clock = null)
    {
        var faults = new SidecarFaults();
        var service = await ServiceOnEmulator<Program>.StartAsync("inventory", options =>
        {
            options.RecordedTopics.AddRange(EventCatalog.TopicsPublishedBy(AppIds.Inventory));
            options.Settings["OperatorAccess:Token"] = OperatorToken;
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                options.Settings[key] = value;
            }

            options.ConfigureServices = services =>
            {
                InjectFaults(services, faults);
                if (clock is not null)
                {
                    services.AddSingleton<TimeProvider>(clock);
                }
            };
        });
        return new InventoryHost(service, faults);
    }

    /// <summary>Every event published so far, once nothing is in flight any more.</summary>
    public async Task<IReadOnlyList<PublishedEvent>> PublishedAsync()
    {
        await _service.Emulator.Services.GetRequiredService<PubSubBroker>().WaitForIdleAsync(SettleTimeout);
        return [.. _service.Published([.. EventCatalog.TopicsPublishedBy(AppIds.Inventory)]).Select(e => new PublishedEvent(
            e.GetProperty("topic").GetString(), e.GetProperty("type").GetString(), e.GetProperty("id").GetString(), e.GetProperty("data")))];
    }

    public async Task<IReadOnlyList<PublishedEvent>> PublishedOfTypeAsync(string type) =>
        [.. (await PublishedAsync()).Where(e => e.Type == type)];

    /// <summary>The stored JSON of a key of <c>statestore</c>, or null.</summary>
    public async Task<JsonElement?> StateAsync(string key)
    {
        var value = await _service.Dapr.GetStateAsync<JsonElement?>("statestore", key);
        return value is { ValueKind: not JsonValueKind.Undefined and not JsonValueKind.Null } ? value : null;
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

    /// <summary>GET on a sidecar-facing route (<c>/dapr/subscribe</c>, <c>/dapr/config</c>) with the app token, as daprd calls it.</summary>
    public async Task<JsonElement> GetSidecarFacingAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Add("dapr-api-token", _service.Options.AppApiToken);
        using var response = await Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>Delivers a CloudEvent the way daprd does and returns the <c>status</c> the app answered (or the HTTP status).</summary>
    public Task<string> DeliverAsync(string route, string type, JsonNode? data) =>
        _service.DeliverAsync(route, type, data!);

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

    public ValueTask DisposeAsync() => _service.DisposeAsync();

    private static void InjectFaults(IServiceCollection services, SidecarFaults faults)
    {
        faults.AddDaprClient(services);
        faults.AddActorProxies(services);
    }
}
