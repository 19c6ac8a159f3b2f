using System.Collections.Concurrent;
using System.Text.Json;
using DaprOrders.Fidelity.Tests.ClientSide;
using DaprOrders.Sidecar;
using DaprOrders.Sidecar.AppCallbacks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Fidelity.Tests.AppSide;

/// <summary>
/// The C# side of the app-side comparison: the subscriptions and handlers of tests/js/fidelity/server-app.mjs written
/// with DaprOrders.Sidecar (WithTopic, CloudEvent&lt;T&gt;, TopicResponse), on a real loopback port.
/// </summary>
internal sealed class CSharpSubscriberApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CSharpSubscriberApp(WebApplication app, SubscriberDeliveries deliveries)
    {
        _app = app;
        Deliveries = deliveries;
    }

    public SubscriberDeliveries Deliveries { get; }

    public static async Task<CSharpSubscriberApp> StartAsync(string appId, int port, Uri sidecar)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, FidelityJsonContext.Default));
        builder.Services.AddDaprSidecar(o =>
        {
            o.HttpEndpoint = sidecar;
            o.AppId = appId;
        });
        var app = builder.Build();
        var deliveries = new SubscriberDeliveries();

        // Counted per HTTP request, before the library's delivery guard: a delivery it answers itself counts too.
        app.Use(async (context, next) =>
        {
            if (HttpMethods.IsPost(context.Request.Method))
            {
                deliveries.Count(context.Request.Path.Value ?? "/");
            }

            await next(context);
        });

        var deadLetterTopic = $"{appId}-dlt";
        static string Rule(string type) => $"event.type == \"{type}\"";

        app.MapPost("/success", (CloudEvent<FidelityOrder> e) =>
        {
            deliveries.Saw("success", e.Data);
            return e.Data?.OrderId is not null ? TopicResponse.Success() : TopicResponse.Drop();
        }).WithTopic("pubsub", "fidelity", deadLetterTopic, Rule("fidelity.success"), priority: 1);
        app.MapPost("/retry", (CloudEvent<JsonElement> e) => TopicResponse.Retry())
            .WithTopic("pubsub", "fidelity", deadLetterTopic, Rule("fidelity.retry"), priority: 2);
        app.MapPost("/drop", (CloudEvent<JsonElement> e) => TopicResponse.Drop())
            .WithTopic("pubsub", "fidelity", deadLetterTopic, Rule("fidelity.drop"), priority: 3);
        app.MapPost("/throw", IResult (CloudEvent<JsonElement> e) => throw new InvalidOperationException("handler failed"))
            .WithTopic("pubsub", "fidelity", deadLetterTopic, Rule("fidelity.throw"), priority: 4);
        app.MapPost("/other", (CloudEvent<JsonElement> e) => TopicResponse.Success())
            .WithTopic("pubsub", "fidelity", deadLetterTopic);
        app.MapPost("/raw", (CloudEvent<FidelityOrder> e) =>
        {
            deliveries.Saw("raw", e.Data);
            return e.Data?.OrderId is not null ? TopicResponse.Success() : TopicResponse.Drop();
        }).WithTopic(new TopicSubscription("pubsub", "fidelity-raw")
        {
            DeadLetterTopic = deadLetterTopic,
            Metadata = new Dictionary<string, string> { ["rawPayload"] = "true" },
        });
        app.MapDaprSubscribeHandler();

        await app.StartAsync();
        return new CSharpSubscriberApp(app, deliveries);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Deliveries an app received, per request path (every attempt), and the data its handlers saw.</summary>
internal sealed class SubscriberDeliveries
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, object?> Seen { get; } = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, int> Snapshot() => new Dictionary<string, int>(_counts, StringComparer.Ordinal);

    public void Count(string path) => _counts.AddOrUpdate(path, 1, (_, n) => n + 1);

    public void Saw(string route, object? data) => Seen[route] = data;
}
