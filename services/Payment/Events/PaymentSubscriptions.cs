using DaprOrders.BuildingBlocks;
using DaprOrders.BuildingBlocks.Messaging;
using DaprOrders.Contracts;
using DaprOrders.Payment.Payments;

namespace DaprOrders.Payment.Events;

/// <summary>Sidecar-facing subscriptions on <c>orders</c> (<see cref="DaprAppExtensions.MapTopicEndpoints"/>).</summary>
public static class PaymentSubscriptions
{
    public static RouteGroupBuilder MapPaymentSubscriptions(this IEndpointRouteBuilder endpoints)
    {
        var events = endpoints.MapTopicEndpoints();

        events.MapPost("/orders/payment-requested", async (PaymentRequested request, PaymentProcessor processor, CancellationToken cancellationToken) =>
                TopicResponse.For(await processor.OnPaymentRequestedAsync(request, cancellationToken)))
            .WithTopic(TopicSubscriptions.OfType(PubSub.Name, Topics.Orders, EventTypes.PaymentRequested, Topics.DeadLetters, priority: 1));

        events.MapPost("/orders/cancelled", async (OrderCancelled cancellation, PaymentProcessor processor, CancellationToken cancellationToken) =>
                TopicResponse.For(await processor.OnOrderCancelledAsync(cancellation, cancellationToken)))
            .WithTopic(TopicSubscriptions.OfType(PubSub.Name, Topics.Orders, EventTypes.OrderCancelled, Topics.DeadLetters, priority: 2));

        // Other types on `orders` (created, completed) are not ours: acknowledge them, or daprd would dead-letter them.
        events.AcknowledgeOtherEvents(PubSub.Name, Topics.Orders, Topics.DeadLetters);

        return events;
    }
}
