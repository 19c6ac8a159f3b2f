using DaprOrders.BuildingBlocks;
using DaprOrders.BuildingBlocks.Messaging;
using DaprOrders.Contracts;
using DaprOrders.Payment.Payments;

namespace DaprOrders.Payment.Events;

/// <summary>Sidecar-facing subscriptions to the payment-requested and order-cancelled topics (<see cref="DaprAppExtensions.MapTopicEndpoints"/>).</summary>
public static class PaymentSubscriptions
{
    public static RouteGroupBuilder MapPaymentSubscriptions(this IEndpointRouteBuilder endpoints)
    {
        var events = endpoints.MapTopicEndpoints();

        events.MapPost("/orders/payment-requested", async (PaymentRequested request, PaymentProcessor processor, CancellationToken cancellationToken) =>
                TopicResponse.For(await processor.OnPaymentRequestedAsync(request, cancellationToken)))
            .WithTopic(TopicSubscriptions.OfType(PubSub.Name, Topics.PaymentRequested, EventTypes.PaymentRequested, Topics.DeadLetters));

        events.MapPost("/orders/cancelled", async (OrderCancelled cancellation, PaymentProcessor processor, CancellationToken cancellationToken) =>
                TopicResponse.For(await processor.OnOrderCancelledAsync(cancellation, cancellationToken)))
            .WithTopic(TopicSubscriptions.OfType(PubSub.Name, Topics.OrderCancelled, EventTypes.OrderCancelled, Topics.DeadLetters));

        return events;
    }
}
