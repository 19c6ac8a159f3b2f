using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Testing;

/// <summary>A subscriber app that records every CloudEvent its sidecar delivers on the given topics and acknowledges it.</summary>
internal sealed class TopicRecorder : IAsyncDisposable
{
    private readonly WebApplication _web;
    private readonly ConcurrentQueue<JsonElement> _received = new();

    private TopicRecorder(WebApplication web) => _web = web;

    public int Port { get; private set; }

    public static async Task<TopicRecorder> StartAsync(IReadOnlyList<string> topics, string pubsubName = "pubsub")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var web = builder.Build();
        var recorder = new TopicRecorder(web);
        var subscriptions = JsonSerializer.Serialize(topics.Select(t => new { pubsubname = pubsubName, topic = t, route = "/recorded" }));
        web.MapGet("/dapr/subscribe", () => Results.Text(subscriptions, "application/json"));
        web.MapPost("/recorded", async (HttpRequest request) =>
        {
            using var document = await JsonDocument.ParseAsync(request.Body);
            recorder._received.Enqueue(document.RootElement.Clone());
            return Results.Text("""{"status":"SUCCESS"}""", "application/json");
        });
        await web.StartAsync();
        recorder.Port = new Uri(web.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First()).Port;
        return recorder;
    }

    /// <summary>What arrived on any of <paramref name="topics"/>, in arrival order.</summary>
    public IReadOnlyList<JsonElement> Received(IReadOnlyCollection<string> topics) =>
        [.. _received.Where(e => e.TryGetProperty("topic", out var t) && topics.Contains(t.GetString()!))];

    public async ValueTask DisposeAsync() => await _web.DisposeAsync();
}
