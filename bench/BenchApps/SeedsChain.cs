using System.Text.Json;
using System.Text.Json.Serialization;
using DaprOrders.BuildingBlocks;
using DaprOrders.BuildingBlocks.Messaging;

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
        app.MapPost("/sync/orders", async (SeedOrder order, ServiceInvocationClient invocation, CancellationToken cancellationToken) =>
        {
            foreach (var step in Steps)
            {
                using var response = await invocation.PostAsJsonAsync(step, "work", order, BenchAppsJsonContext.Default.SeedOrder, cancellationToken);
                response.EnsureSuccessStatusCode();
            }

            return TypedResults.Created($"/orders/{order.OrderId}", order);
        });

        app.MapPost("/async/orders", async (SeedOrder order, EventPublisher publisher, CancellationToken cancellationToken) =>
        {
            await publisher.PublishAsync(PubSub, Topic, order, "bench.order.submitted.v1", order.OrderId, cancellationToken);
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

        app.MapTopicEndpoints().MapPost($"/{Topic}", async (SeedOrder order, CancellationToken cancellationToken) =>
        {
            await Task.Delay(work, cancellationToken);
            return TopicResponse.Success();
        }).WithTopic(TopicSubscriptions.Default(PubSub, Topic, deadLetterTopic: null));
    }
}
