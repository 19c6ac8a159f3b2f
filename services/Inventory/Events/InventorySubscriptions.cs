using DaprOrders.BuildingBlocks;
using DaprOrders.BuildingBlocks.Messaging;
using DaprOrders.Contracts;
using DaprOrders.Inventory.Reservations;

namespace DaprOrders.Inventory.Events;

/// <summary>
/// Sidecar-facing subscriptions to the order-created and order-cancelled topics (<see cref="DaprAppExtensions.MapTopicEndpoints"/>).
/// Not order-completed: a reservation is final unless the order is cancelled, so completion changes nothing here.
/// </summary>
public static class InventorySubscriptions
{
    public static RouteGroupBuilder MapInventorySubscriptions(this IEndpointRouteBuilder endpoints)
    {
        var events = endpoints.MapTopicEndpoints();

        events.MapPost("/orders/created", async (OrderCreated order, StockReservationCoordinator coordinator, CancellationToken cancellationToken) =>
                TopicResponse.For(await coordinator.OnOrderCreatedAsync(order, cancellationToken)))
            .WithTopic(TopicSubscriptions.OfType(PubSub.Name, Topics.OrderCreated, EventTypes.OrderCreated, Topics.DeadLetters));

        events.MapPost("/orders/cancelled", async (OrderCancelled cancellation, StockReservationCoordinator coordinator, CancellationToken cancellationToken) =>
                TopicResponse.For(await coordinator.OnOrderCancelledAsync(cancellation, cancellationToken)))
            .WithTopic(TopicSubscriptions.OfType(PubSub.Name, Topics.OrderCancelled, EventTypes.OrderCancelled, Topics.DeadLetters));

        return events;
    }
}
