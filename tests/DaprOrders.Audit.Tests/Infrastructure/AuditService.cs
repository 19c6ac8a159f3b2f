using System.Text.Json;
using DaprOrders.Contracts;
using DaprOrders.Emulator.PubSub;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DaprOrders.Audit.Tests.Infrastructure;

/// <summary>
/// The Audit service on the emulator (<see cref="ServiceOnEmulator{TProgram}"/>), on a virtual clock. Replays to
/// <c>orders</c> are recorded by a subscriber with Loyalty's app id, which the components let subscribe to it.
/// </summary>
internal static class AuditService
{
    /// <summary>The operator token the service is given; <c>bed.Client</c> sends it (replay and discard need it).</summary>
    public const string OperatorToken = "audit-tests-operator-token";

    public static async Task<(ServiceOnEmulator<Program> Bed, FakeTimeProvider Clock)> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
        var bed = await ServiceOnEmulator<Program>.StartAsync("audit", options =>
        {
            options.RecordedTopics.Add(Topics.OrderCreated);
            // Any app but audit that the components let subscribe to order-created; no Inventory runs here.
            options.RecorderAppId = "inventory";
            options.Settings["OperatorAccess:Token"] = OperatorToken;
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                options.Settings[key] = value;
            }

            options.ConfigureServices = services => services.AddSingleton<TimeProvider>(clock);
        });
        return (bed, clock);
    }

    /// <summary>A CloudEvent as a publisher's sidecar builds it (attributes daprd adds included).</summary>
    public static string CloudEvent(string id, string topic, string type, string orderId, string source = "ordering", string pubsubName = "pubsub") =>
        $$"""
        {"data":{"orderId":"{{orderId}}","customerId":"c-1"},"datacontenttype":"application/json","id":"{{id}}",
         "pubsubname":"{{pubsubName}}","source":"{{source}}","specversion":"1.0","time":"2026-11-23T08:59:59Z","topic":"{{topic}}",
         "traceid":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
         "traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","tracestate":"","type":"{{type}}",
         "x-custom":"kept"}
        """;

    /// <summary>
    /// Delivers one CloudEvent as daprd does with Audit's default subscriptions and returns the answered status: to
    /// <c>deadletters</c> as a structured CloudEvent, to an event topic (bulk subscribe) as a one-entry bulk delivery.
    /// </summary>
    public static async Task<string> DeliverAsync(this ServiceOnEmulator<Program> bed, string path, string cloudEvent)
    {
        if (path != $"/events/{Topics.DeadLetters}")
        {
            return (await bed.DeliverBulkAsync(path, cloudEvent)).Single() ?? "(no status)";
        }

        using var response = await bed.PostCloudEventAsync(path, cloudEvent);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("status").GetString()!;
    }

    /// <summary>
    /// POSTs a bulk delivery as daprd builds it (<c>com.dapr.event.sent.bulk</c>, <c>application/json</c>, one entry per
    /// event, each a JSON value as delivered) and returns the status answered for each entry, in entry order.
    /// </summary>
    public static async Task<IReadOnlyList<string?>> DeliverBulkAsync(this ServiceOnEmulator<Program> bed, string path, params string[] events)
    {
        var topic = path[(path.LastIndexOf('/') + 1)..];
        var entries = string.Join(",", events.Select((e, i) =>
            $$"""{"entryId":"entry-{{i}}","event":{{e}},"metadata":{"pubsubName":"pubsub"},"contentType":"application/cloudevents+json"}"""));
        using var content = new StringContent(
            $$"""{"id":"bulk-1","type":"com.dapr.event.sent.bulk","topic":"{{topic}}","pubsubname":"pubsub","metadata":{},"entries":[{{entries}}]}""",
            System.Text.Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Add("dapr-api-token", bed.Options.AppApiToken);
        request.Headers.Add("Pubsubname", "pubsub");
        using var response = await bed.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        var statuses = JsonDocument.Parse(body).RootElement.GetProperty("statuses").EnumerateArray()
            .ToDictionary(s => s.GetProperty("entryId").GetString()!, s => s.GetProperty("status").GetString());
        return [.. events.Select((_, i) => statuses.GetValueOrDefault($"entry-{i}"))];
    }

    public static async Task<JsonElement> SubscriptionsAsync(this ServiceOnEmulator<Program> bed)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dapr/subscribe");
        request.Headers.Add("dapr-api-token", bed.Options.AppApiToken);
        using var response = await bed.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>What was published on <c>order-created</c>, once the broker delivered what is queued.</summary>
    public static async Task<IReadOnlyList<JsonElement>> ReplayedToOrderCreatedAsync(this ServiceOnEmulator<Program> bed)
    {
        await bed.Emulator.Services.GetRequiredService<PubSubBroker>().WaitForIdleAsync(TimeSpan.FromSeconds(30));
        return bed.Published(Topics.OrderCreated);
    }
}
