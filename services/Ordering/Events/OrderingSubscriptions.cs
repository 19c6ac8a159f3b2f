using DaprOrders.BuildingBlocks;
using DaprOrders.BuildingBlocks.Messaging;
using DaprOrders.Contracts;
using DaprOrders.Ordering.Orders;
using DaprOrders.Ordering.Saga;

namespace DaprOrders.Ordering.Events;

/// <summary>
/// The sidecar-facing subscriptions that move the saga (<see cref="DaprAppExtensions.MapTopicEndpoints"/>). Each
/// handler runs the order's saga turn right here, on the ETag-guarded order document (<see cref="OrderSagaTurns"/>).
/// Outcomes: handled (also a repeat, or an order that does not exist) ⇒ SUCCESS; unusable data ⇒ DROP (daprd
/// dead-letters it); a failed sidecar call throws, which the topic endpoints answer with 500 ⇒ RETRY. Ordering
/// subscribes only to the topics of the types that move the saga: not to its own <c>order.created</c> (the intake
/// arms the deadline itself), nor to stock.released or payment.refunded.
/// </summary>
public static class OrderingSubscriptions
{
    public static RouteGroupBuilder MapOrderingSubscriptions(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var events = endpoints.MapTopicEndpoints();

        events.MapPost("/inventory/reserved", (StockReserved reserved, OrderSagaTurns turns, CancellationToken ct) =>
                RunAsync(turns, reserved.OrderId, new SagaInput.StockWasReserved(reserved), ct))
            .WithTopic(TopicSubscriptions.OfType(PubSub.Name, Topics.StockReserved, EventTypes.StockReserved, Topics.DeadLetters));
        events.MapPost("/inventory/rejected", (StockRejected rejected, OrderSagaTurns turns, CancellationToken ct) =>
                RunAsync(turns, rejected.OrderId, new SagaInput.StockWasRejected(rejected), ct))
            .WithTopic(TopicSubscriptions.OfType(PubSub.Name, Topics.StockRejected, EventTypes.StockRejected, Topics.DeadLetters));

        events.MapPost("/payments/succeeded", (PaymentSucceeded succeeded, OrderSagaTurns turns, CancellationToken ct) =>
                RunAsync(turns, succeeded.OrderId, new SagaInput.PaymentWasTaken(succeeded), ct))
            .WithTopic(TopicSubscriptions.OfType(PubSub.Name, Topics.PaymentSucceeded, EventTypes.PaymentSucceeded, Topics.DeadLetters));
        events.MapPost("/payments/failed", (PaymentFailed failed, OrderSagaTurns turns, CancellationToken ct) =>
                RunAsync(turns, failed.OrderId, new SagaInput.PaymentWasDeclined(failed), ct))
            .WithTopic(TopicSubscriptions.OfType(PubSub.Name, Topics.PaymentFailed, EventTypes.PaymentFailed, Topics.DeadLetters));

        return events;
    }

    private static async Task<TopicResponse> RunAsync(OrderSagaTurns turns, string? orderId, SagaInput input, CancellationToken cancellationToken)
    {
        // Only ids the intake derives can name an order; anything else can never be processed.
        if (!OrderIdentity.IsOrderId(orderId))
        {
            return TopicResponse.Drop();
        }

        await turns.RunAsync(orderId, input, cancellationToken);
        return TopicResponse.Success();
    }
}
