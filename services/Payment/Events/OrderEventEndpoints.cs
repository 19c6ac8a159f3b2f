using DaprOrders.Contracts;
using DaprOrders.Payment.Payments;
using DaprOrders.Sidecar.AppCallbacks;

namespace DaprOrders.Payment.Events;

/// <summary>Sidecar-facing subscriptions on <c>orders</c>. Not part of the public API description.</summary>
public static class OrderEventEndpoints
{
    public static RouteGroupBuilder MapOrderEvents(this IEndpointRouteBuilder endpoints)
    {
        var events = endpoints.MapGroup("/events/orders").ExcludeFromDescription();

        events.MapPost("/payment-requested", async (CloudEvent<PaymentRequested> delivery, PaymentProcessor processor, CancellationToken cancellationToken) =>
                delivery.Data is { } request
                    ? TopicResponse.For(await processor.OnPaymentRequestedAsync(request, cancellationToken))
                    : TopicResponse.Drop())
            .WithTopic(PubSub.Name, Topics.Orders, Topics.DeadLetters, Match(EventTypes.PaymentRequested));

        events.MapPost("/cancelled", async (CloudEvent<OrderCancelled> delivery, PaymentProcessor processor, CancellationToken cancellationToken) =>
                delivery.Data is { OrderId.Length: > 0 } cancellation
                    ? TopicResponse.For(await processor.OnOrderCancelledAsync(cancellation, cancellationToken))
                    : TopicResponse.Drop())
            .WithTopic(PubSub.Name, Topics.Orders, Topics.DeadLetters, Match(EventTypes.OrderCancelled));

        // Other types on `orders` (created, completed) are not ours: acknowledge them, or daprd would dead-letter them.
        // Mapped outside the group: a group's empty pattern would end in '/', and daprd posts to the literal path.
        endpoints.MapPost("/events/orders", () => TopicResponse.Success())
            .ExcludeFromDescription()
            .WithTopic(PubSub.Name, Topics.Orders, Topics.DeadLetters);

        return events;
    }

    private static string Match(string eventType) => $"event.type == \"{eventType}\"";
}
