using DaprOrders.Contracts;
using DaprOrders.Inventory.Reservations;
using DaprOrders.Sidecar.AppCallbacks;

namespace DaprOrders.Inventory.Events;

/// <summary>Sidecar-facing subscriptions on <c>orders</c>. Not part of the public API description.</summary>
public static class OrderEventEndpoints
{
    public static RouteGroupBuilder MapOrderEvents(this IEndpointRouteBuilder endpoints)
    {
        var events = endpoints.MapGroup("/events/orders").ExcludeFromDescription();

        events.MapPost("/created", async (CloudEvent<OrderCreated> delivery, StockReservationCoordinator coordinator, CancellationToken cancellationToken) =>
                delivery.Data is { OrderId.Length: > 0 } order
                    ? TopicResponse.For(await coordinator.OnOrderCreatedAsync(order, cancellationToken))
                    : TopicResponse.Drop())
            .WithTopic(PubSub.Name, Topics.Orders, Topics.DeadLetters, Match(EventTypes.OrderCreated));

        events.MapPost("/completed", async (CloudEvent<OrderCompleted> delivery, StockReservationCoordinator coordinator, CancellationToken cancellationToken) =>
                delivery.Data is { OrderId.Length: > 0 } completion
                    ? TopicResponse.For(await coordinator.OnOrderCompletedAsync(completion, cancellationToken))
                    : TopicResponse.Drop())
            .WithTopic(PubSub.Name, Topics.Orders, Topics.DeadLetters, Match(EventTypes.OrderCompleted));

        events.MapPost("/cancelled", async (CloudEvent<OrderCancelled> delivery, StockReservationCoordinator coordinator, CancellationToken cancellationToken) =>
                delivery.Data is { OrderId.Length: > 0 } cancellation
                    ? TopicResponse.For(await coordinator.OnOrderCancelledAsync(cancellation, cancellationToken))
                    : TopicResponse.Drop())
            .WithTopic(PubSub.Name, Topics.Orders, Topics.DeadLetters, Match(EventTypes.OrderCancelled));

        // Other types on `orders` (payment.requested) are not ours: acknowledge them, or daprd would dead-letter them.
        // Mapped outside the group: a group's empty pattern would end in '/', and daprd posts to the literal path.
        endpoints.MapPost("/events/orders", () => TopicResponse.Success())
            .ExcludeFromDescription()
            .WithTopic(PubSub.Name, Topics.Orders, Topics.DeadLetters);

        return events;
    }

    private static string Match(string eventType) => $"event.type == \"{eventType}\"";
}
