using Dapr.Actors;
using Dapr.Actors.Client;
using DaprOrders.Contracts;
using DaprOrders.Ordering.Orders;
using DaprOrders.Sidecar.AppCallbacks;

namespace DaprOrders.Ordering.Saga;

/// <summary>
/// The sidecar-facing subscriptions that feed the saga. Each handler forwards the event to the order's
/// <c>OrderProcess</c> actor through a typed proxy, i.e. the sidecar's actor API (so Dapr placement decides where it
/// runs and daprd serialises the turns). Outcomes: forwarded ⇒ SUCCESS; unusable data ⇒ DROP (daprd dead-letters it); a failed
/// actor call throws, which the topic wrapper answers with 500 ⇒ RETRY.
/// </summary>
public static class SagaEventEndpoints
{
    public static RouteGroupBuilder MapSagaEvents(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var events = endpoints.MapGroup("/events").ExcludeFromDescription();

        events.MapPost("/orders/created", (CloudEvent<OrderCreated> e, IActorProxyFactory actors, CancellationToken ct) =>
                ForwardAsync(actors, e.Data, e.Data?.OrderId, (saga, data) => saga.StartAsync(data, ct)))
            .WithTopic(PubSub.Name, Topics.Orders, Topics.DeadLetters, Match(EventTypes.OrderCreated));
        events.MapPost("/orders", Acknowledge).WithTopic(PubSub.Name, Topics.Orders, Topics.DeadLetters);

        events.MapPost("/inventory/reserved", (CloudEvent<StockReserved> e, IActorProxyFactory actors, CancellationToken ct) =>
                ForwardAsync(actors, e.Data, e.Data?.OrderId, (saga, data) => saga.OnStockReservedAsync(data, ct)))
            .WithTopic(PubSub.Name, Topics.Inventory, Topics.DeadLetters, Match(EventTypes.StockReserved));
        events.MapPost("/inventory/rejected", (CloudEvent<StockRejected> e, IActorProxyFactory actors, CancellationToken ct) =>
                ForwardAsync(actors, e.Data, e.Data?.OrderId, (saga, data) => saga.OnStockRejectedAsync(data, ct)))
            .WithTopic(PubSub.Name, Topics.Inventory, Topics.DeadLetters, Match(EventTypes.StockRejected));
        events.MapPost("/inventory", Acknowledge).WithTopic(PubSub.Name, Topics.Inventory, Topics.DeadLetters);

        events.MapPost("/payments/succeeded", (CloudEvent<PaymentSucceeded> e, IActorProxyFactory actors, CancellationToken ct) =>
                ForwardAsync(actors, e.Data, e.Data?.OrderId, (saga, data) => saga.OnPaymentSucceededAsync(data, ct)))
            .WithTopic(PubSub.Name, Topics.Payments, Topics.DeadLetters, Match(EventTypes.PaymentSucceeded));
        events.MapPost("/payments/failed", (CloudEvent<PaymentFailed> e, IActorProxyFactory actors, CancellationToken ct) =>
                ForwardAsync(actors, e.Data, e.Data?.OrderId, (saga, data) => saga.OnPaymentFailedAsync(data, ct)))
            .WithTopic(PubSub.Name, Topics.Payments, Topics.DeadLetters, Match(EventTypes.PaymentFailed));
        events.MapPost("/payments", Acknowledge).WithTopic(PubSub.Name, Topics.Payments, Topics.DeadLetters);

        return events;
    }

    private static string Match(string eventType) => $"event.type == \"{eventType}\"";

    // Default routes: events of types this app does not handle are acknowledged, so daprd neither drops nor dead-letters them.
    private static TopicResponse Acknowledge() => TopicResponse.Success();

    private static async Task<TopicResponse> ForwardAsync<T>(IActorProxyFactory actors, T? data, string? orderId,
        Func<IOrderProcessActor, T, Task> call)
        where T : class
    {
        // Only ids the intake derives can name an order; anything else can never be processed.
        if (data is null || !OrderIdentity.IsOrderId(orderId))
        {
            return TopicResponse.Drop();
        }

        await call(actors.CreateActorProxy<IOrderProcessActor>(new ActorId(orderId), OrderProcessActor.TypeName), data);
        return TopicResponse.Success();
    }
}
