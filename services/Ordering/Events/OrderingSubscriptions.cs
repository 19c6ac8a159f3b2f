using Dapr.Actors;
using Dapr.Actors.Client;
using DaprOrders.BuildingBlocks;
using DaprOrders.BuildingBlocks.Messaging;
using DaprOrders.Contracts;
using DaprOrders.Ordering.Orders;
using DaprOrders.Ordering.Saga;

namespace DaprOrders.Ordering.Events;

/// <summary>
/// The sidecar-facing subscriptions that feed the saga (<see cref="DaprAppExtensions.MapTopicEndpoints"/>). Each
/// handler forwards the event to the order's <c>OrderProcess</c> actor through a typed proxy, i.e. the sidecar's actor
/// API (so Dapr placement decides where it runs and daprd serialises the turns). Outcomes: forwarded ⇒ SUCCESS;
/// unusable data ⇒ DROP (daprd dead-letters it); a failed actor call throws, which the topic endpoints answer with
/// 500 ⇒ RETRY. Ordering subscribes only to the topics of the types that move the saga (stock.released and
/// payment.refunded are not delivered to it at all).
/// </summary>
public static class OrderingSubscriptions
{
    public static RouteGroupBuilder MapOrderingSubscriptions(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var events = endpoints.MapTopicEndpoints();

        events.MapPost("/orders/created", (OrderCreated created, IActorProxyFactory actors, CancellationToken ct) =>
                ForwardAsync(actors, created.OrderId, saga => saga.StartAsync(created, ct)))
            .WithTopic(TopicSubscriptions.OfType(PubSub.Name, Topics.OrderCreated, EventTypes.OrderCreated, Topics.DeadLetters));

        events.MapPost("/inventory/reserved", (StockReserved reserved, IActorProxyFactory actors, CancellationToken ct) =>
                ForwardAsync(actors, reserved.OrderId, saga => saga.OnStockReservedAsync(reserved, ct)))
            .WithTopic(TopicSubscriptions.OfType(PubSub.Name, Topics.StockReserved, EventTypes.StockReserved, Topics.DeadLetters));
        events.MapPost("/inventory/rejected", (StockRejected rejected, IActorProxyFactory actors, CancellationToken ct) =>
                ForwardAsync(actors, rejected.OrderId, saga => saga.OnStockRejectedAsync(rejected, ct)))
            .WithTopic(TopicSubscriptions.OfType(PubSub.Name, Topics.StockRejected, EventTypes.StockRejected, Topics.DeadLetters));

        events.MapPost("/payments/succeeded", (PaymentSucceeded succeeded, IActorProxyFactory actors, CancellationToken ct) =>
                ForwardAsync(actors, succeeded.OrderId, saga => saga.OnPaymentSucceededAsync(succeeded, ct)))
            .WithTopic(TopicSubscriptions.OfType(PubSub.Name, Topics.PaymentSucceeded, EventTypes.PaymentSucceeded, Topics.DeadLetters));
        events.MapPost("/payments/failed", (PaymentFailed failed, IActorProxyFactory actors, CancellationToken ct) =>
                ForwardAsync(actors, failed.OrderId, saga => saga.OnPaymentFailedAsync(failed, ct)))
            .WithTopic(TopicSubscriptions.OfType(PubSub.Name, Topics.PaymentFailed, EventTypes.PaymentFailed, Topics.DeadLetters));

        return events;
    }

    private static async Task<TopicResponse> ForwardAsync(IActorProxyFactory actors, string? orderId, Func<IOrderProcessActor, Task> call)
    {
        // Only ids the intake derives can name an order; anything else can never be processed.
        if (!OrderIdentity.IsOrderId(orderId))
        {
            return TopicResponse.Drop();
        }

        await call(actors.CreateActorProxy<IOrderProcessActor>(new ActorId(orderId), OrderProcessActor.TypeName));
        return TopicResponse.Success();
    }
}
