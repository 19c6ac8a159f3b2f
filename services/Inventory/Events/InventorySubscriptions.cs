using DaprOrders.BuildingBlocks;
using DaprOrders.BuildingBlocks.Messaging;
using DaprOrders.Contracts;
using DaprOrders.Inventory.Reservations;

namespace DaprOrders.Inventory.Events;

/// <summary>Sidecar-facing subscriptions on <c>orders</c> (<see cref="DaprAppExtensions.MapTopicEndpoints"/>).</summary>
public static class InventorySubscriptions
{
    public static RouteGroupBuilder MapInventorySubscriptions(this IEndpointRouteBuilder endpoints)
    {
        var events = endpoints.MapTopicEndpoints();

        events.MapPost("/orders/created", async (OrderCreated order, StockReservationCoordinator coordinator, CancellationToken cancellationToken) =>
                TopicResponse.For(await coordinator.OnOrderCreatedAsync(order, cancellationToken)))
            .WithTopic(TopicSubscriptions.OfType(PubSub.Name, Topics.Orders, EventTypes.OrderCreated, Topics.DeadLetters, priority: 1));

        events.MapPost("/orders/completed", async (OrderCompleted completion, StockReservationCoordinator coordinator, CancellationToken cancellationToken) =>
                TopicResponse.For(await coordinator.OnOrderCompletedAsync(completion, cancellationToken)))
            .WithTopic(TopicSubscriptions.OfType(PubSub.Name, Topics.Orders, EventTypes.OrderCompleted, Topics.DeadLetters, priority: 2));

        events.MapPost("/orders/cancelled", async (OrderCancelled cancellation, StockReservationCoordinator coordinator, CancellationToken cancellationToken) =>
                TopicResponse.For(await coordinator.OnOrderCancelledAsync(cancellation, cancellationToken)))
            .WithTopic(TopicSubscriptions.OfType(PubSub.Name, Topics.Orders, EventTypes.OrderCancelled, Topics.DeadLetters, priority: 3));

        // Other types on `orders` (payment.requested) are not ours: acknowledge them, or daprd would dead-letter them.
        events.AcknowledgeOtherEvents(PubSub.Name, Topics.Orders, Topics.DeadLetters);

        return events;
    }
}
