using System.Collections.Concurrent;
using System.Text.Json;
using DaprOrders.BuildingBlocks;
using DaprOrders.BuildingBlocks.Messaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Fidelity.Tests.AppSide;

/// <summary>
/// The C# side of the app-side comparison: the subscriptions and handlers of tests/js/fidelity/server-app.mjs written
/// the way the services write theirs, on the Dapr .NET SDK through DaprOrders.BuildingBlocks (AddDaprApp, UseDaprApp,
/// MapSubscribeHandler, MapTopicEndpoints, WithTopic(TopicSubscriptions...) with a default route, TopicResponse),
/// on a real loopback port.
/// </summary>
internal sealed class CSharpSubscriberApp : IAsyncDisposable
{
    /// <summary>Where the deliveries arrive: the topic endpoints' group (<see cref="DaprAppExtensions.EventsPrefix"/>).</summary>
    public const string RoutePrefix = DaprAppExtensions.EventsPrefix + "/";

    private readonly WebApplication _app;

    private CSharpSubscriberApp(WebApplication app, SubscriberDeliveries deliveries)
    {
        _app = app;
        Deliveries = deliveries;
    }

    public SubscriberDeliveries Deliveries { get; }

    public static async Task<CSharpSubscriberApp> StartAsync(string appId, int port, Uri sidecarHttpEndpoint, Uri sidecarGrpcEndpoint)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.Configuration["DAPR_HTTP_ENDPOINT"] = sidecarHttpEndpoint.ToString();
        builder.Configuration["DAPR_GRPC_ENDPOINT"] = sidecarGrpcEndpoint.ToString();
        builder.AddDaprApp(FidelityJsonContext.Default);
        var app = builder.Build();
        var deliveries = new SubscriberDeliveries();

        // Counted per HTTP request, before the delivery middleware: a delivery it answers itself counts too.
        app.Use(async (context, next) =>
        {
            if (HttpMethods.IsPost(context.Request.Method))
            {
                deliveries.Count(context.Request.Path.Value ?? "/");
            }

            await next(context);
        });
        app.UseDaprApp();
        app.MapSubscribeHandler().RequireDaprApp();

        var deadLetterTopic = $"{appId}-dlt";
        var events = app.MapTopicEndpoints();
        events.MapPost("/success", (FidelityOrder order) =>
        {
            deliveries.Saw("success", order);
            return order.OrderId is not null ? TopicResponse.Success() : TopicResponse.Drop();
        }).WithTopic(TopicSubscriptions.OfType("pubsub", "fidelity", "fidelity.success", deadLetterTopic));
        events.MapPost("/retry", (JsonElement data) => TopicResponse.Retry())
            .WithTopic(TopicSubscriptions.OfType("pubsub", "fidelity", "fidelity.retry", deadLetterTopic, priority: 2));
        events.MapPost("/drop", (JsonElement data) => TopicResponse.Drop())
            .WithTopic(TopicSubscriptions.OfType("pubsub", "fidelity", "fidelity.drop", deadLetterTopic, priority: 3));
        events.MapPost("/throw", IResult (JsonElement data) => throw new InvalidOperationException("handler failed"))
            .WithTopic(TopicSubscriptions.OfType("pubsub", "fidelity", "fidelity.throw", deadLetterTopic, priority: 4));
        // The default route, as Audit declares one per topic: every type no rule matched, acknowledged.
        events.MapPost("/fidelity", () => TopicResponse.Success())
            .WithTopic(TopicSubscriptions.Default("pubsub", "fidelity", deadLetterTopic))
            .ReceiveCloudEventEnvelope();

        // rawPayload: the broker message is not a CloudEvent; daprd wraps it with data_base64, which the SDK's
        // CloudEvents middleware decodes into the body as it is (application/octet-stream), so the handler reads bytes.
        var raw = TopicSubscriptions.Default("pubsub", "fidelity-raw", deadLetterTopic);
        raw.EnableRawPayload = true;
        events.MapPost("/raw", async (HttpRequest request) =>
        {
            var order = await JsonSerializer.DeserializeAsync(request.Body, FidelityJsonContext.Default.FidelityOrder, request.HttpContext.RequestAborted);
            deliveries.Saw("raw", order);
            return order?.OrderId is not null ? TopicResponse.Success() : TopicResponse.Drop();
        }).WithTopic(raw);

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
