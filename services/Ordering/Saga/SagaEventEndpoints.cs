using System.Text.Json.Serialization.Metadata;
using DaprOrders.Contracts;
using DaprOrders.Ordering.Orders;
using DaprOrders.Sidecar;
using DaprOrders.Sidecar.AppCallbacks;

namespace DaprOrders.Ordering.Saga;

/// <summary>
/// The sidecar-facing subscriptions that feed the saga. Each handler forwards the event to the order's
/// <c>OrderProcess</c> actor through the sidecar's actor API (so Dapr placement decides where it runs and daprd
/// serialises the turns). Outcomes: forwarded ⇒ SUCCESS; unusable data ⇒ DROP (daprd dead-letters it); a failed
/// actor call throws, which the topic wrapper answers with 500 ⇒ RETRY.
/// </summary>
public static class SagaEventEndpoints
{
    public static RouteGroupBuilder MapSagaEvents(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var events = endpoints.MapGroup("/events").ExcludeFromDescription();

        events.MapPost("/orders/created", (CloudEvent<OrderCreated> e, DaprSidecarClient sidecar, CancellationToken ct) =>
                ForwardAsync(sidecar, e.Data, e.Data?.OrderId, "StartAsync", ContractsJsonContext.Default.OrderCreated, ct))
            .WithTopic(PubSub.Name, Topics.Orders, Topics.DeadLetters, Match(EventTypes.OrderCreated));
        events.MapPost("/orders", Acknowledge).WithTopic(PubSub.Name, Topics.Orders, Topics.DeadLetters);

        events.MapPost("/inventory/reserved", (CloudEvent<StockReserved> e, DaprSidecarClient sidecar, CancellationToken ct) =>
                ForwardAsync(sidecar, e.Data, e.Data?.OrderId, "OnStockReservedAsync", ContractsJsonContext.Default.StockReserved, ct))
            .WithTopic(PubSub.Name, Topics.Inventory, Topics.DeadLetters, Match(EventTypes.StockReserved));
        events.MapPost("/inventory/rejected", (CloudEvent<StockRejected> e, DaprSidecarClient sidecar, CancellationToken ct) =>
                ForwardAsync(sidecar, e.Data, e.Data?.OrderId, "OnStockRejectedAsync", ContractsJsonContext.Default.StockRejected, ct))
            .WithTopic(PubSub.Name, Topics.Inventory, Topics.DeadLetters, Match(EventTypes.StockRejected));
        events.MapPost("/inventory", Acknowledge).WithTopic(PubSub.Name, Topics.Inventory, Topics.DeadLetters);

        events.MapPost("/payments/succeeded", (CloudEvent<PaymentSucceeded> e, DaprSidecarClient sidecar, CancellationToken ct) =>
                ForwardAsync(sidecar, e.Data, e.Data?.OrderId, "OnPaymentSucceededAsync", ContractsJsonContext.Default.PaymentSucceeded, ct))
            .WithTopic(PubSub.Name, Topics.Payments, Topics.DeadLetters, Match(EventTypes.PaymentSucceeded));
        events.MapPost("/payments/failed", (CloudEvent<PaymentFailed> e, DaprSidecarClient sidecar, CancellationToken ct) =>
                ForwardAsync(sidecar, e.Data, e.Data?.OrderId, "OnPaymentFailedAsync", ContractsJsonContext.Default.PaymentFailed, ct))
            .WithTopic(PubSub.Name, Topics.Payments, Topics.DeadLetters, Match(EventTypes.PaymentFailed));
        events.MapPost("/payments", Acknowledge).WithTopic(PubSub.Name, Topics.Payments, Topics.DeadLetters);

        return events;
    }

    private static string Match(string eventType) => $"event.type == \"{eventType}\"";

    // Default routes: events of types this app does not handle are acknowledged, so daprd neither drops nor dead-letters them.
    private static TopicResponse Acknowledge() => TopicResponse.Success();

    private static async Task<TopicResponse> ForwardAsync<T>(DaprSidecarClient sidecar, T? data, string? orderId, string method,
        JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        // Only ids the intake derives can name an order; anything else can never be processed.
        if (data is null || !OrderIdentity.IsOrderId(orderId))
        {
            return TopicResponse.Drop();
        }

        await sidecar.InvokeActorMethodAsync(OrderProcessActor.TypeName, orderId, method, data, typeInfo, cancellationToken);
        return TopicResponse.Success();
    }
}
