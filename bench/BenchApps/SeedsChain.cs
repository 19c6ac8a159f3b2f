using System.Text.Json;
using System.Text.Json.Serialization;
using DaprOrders.Sidecar;
using DaprOrders.Sidecar.AppCallbacks;

namespace DaprOrders.Bench.Apps;

/// <summary>The seeds' order message: small on purpose, the experiment is about the call pattern, not payloads.</summary>
public sealed record SeedOrder(string OrderId, string CustomerId, long Amount);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SeedOrder))]
[JsonSerializable(typeof(ObservedOrder[]))]
[JsonSerializable(typeof(System.Text.Json.JsonElement))]
[JsonSerializable(typeof(int))]
public sealed partial class BenchAppsJsonContext : JsonSerializerContext;

/// <summary>
/// The seeds' experiment. Synchronous: the caller waits for inventory, then payment, then notification, each reached
/// through Dapr service invocation. Asynchronous: the caller waits for one publish; the same work runs in consumers.
/// </summary>
public static class SeedsChain
{
    public const string PubSub = "pubsub";
    public const string Topic = "orders";
    public static readonly string[] Steps = ["inventory", "payment", "notification"];

    public static void MapSeedsFront(this IEndpointRouteBuilder app)
    {
        app.MapPost("/sync/orders", async (SeedOrder order, DaprSidecarClient sidecar, CancellationToken cancellationToken) =>
        {
            foreach (var step in Steps)
            {
                await sidecar.InvokeMethodAsync(HttpMethod.Post, step, "work", order, BenchAppsJsonContext.Default.SeedOrder, cancellationToken);
            }

            return TypedResults.Created($"/orders/{order.OrderId}", order);
        });

        app.MapPost("/async/orders", async (SeedOrder order, DaprSidecarClient sidecar, CancellationToken cancellationToken) =>
        {
            await sidecar.PublishEventAsync(PubSub, Topic, order, BenchAppsJsonContext.Default.SeedOrder,
                new PublishOptions { CloudEventType = "bench.order.submitted.v1" }, cancellationToken);
            return TypedResults.Accepted($"/orders/{order.OrderId}", order);
        });
    }

    public static void MapSeedsWorker(this IEndpointRouteBuilder app, TimeSpan work)
    {
        // Simulated work is waiting, not burning CPU: the seeds' 200/300/150 ms are calls to slow dependencies.
        app.MapPost("/work", async (SeedOrder order, CancellationToken cancellationToken) =>
        {
            await Task.Delay(work, cancellationToken);
            return TypedResults.Ok(order);
        });

        app.MapPost("/events/orders", async (CloudEvent<SeedOrder> order, CancellationToken cancellationToken) =>
        {
            await Task.Delay(work, cancellationToken);
            return TopicResponse.Success();
        }).WithTopic(PubSub, Topic);
    }
}
