using DaprOrders.BuildingBlocks;
using DaprOrders.BuildingBlocks.Messaging;
using DaprOrders.Contracts;
using DaprOrders.Notification.Notifications;
using Microsoft.Extensions.Options;

namespace DaprOrders.Notification.Events;

public static class NotificationSubscriptions
{
    /// <summary>Sidecar-facing subscriptions to the order-completed and order-cancelled topics (<see cref="DaprAppExtensions.MapTopicEndpoints"/>).</summary>
    public static RouteGroupBuilder MapNotificationSubscriptions(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var pubsubName = endpoints.ServiceProvider.GetRequiredService<IOptions<NotificationOptions>>().Value.PubsubName;
        var events = endpoints.MapTopicEndpoints();

        events.MapPost("/orders/completed", (OrderCompleted data, OrderNotifier notifier, CancellationToken cancellationToken) =>
                NotifyAsync(data is { OrderId.Length: > 0, CustomerId.Length: > 0, Total: not null } ? OrderOutcome.From(data) : null, notifier, cancellationToken))
            .WithTopic(TopicSubscriptions.OfType(pubsubName, Topics.OrderCompleted, EventTypes.OrderCompleted, Topics.DeadLetters));

        events.MapPost("/orders/cancelled", (OrderCancelled data, OrderNotifier notifier, CancellationToken cancellationToken) =>
                NotifyAsync(data is { OrderId.Length: > 0, CustomerId.Length: > 0 } ? OrderOutcome.From(data) : null, notifier, cancellationToken))
            .WithTopic(TopicSubscriptions.OfType(pubsubName, Topics.OrderCancelled, EventTypes.OrderCancelled, Topics.DeadLetters));

        return events;
    }

    private static async Task<TopicResponse> NotifyAsync(OrderOutcome? outcome, OrderNotifier notifier, CancellationToken cancellationToken) =>
        // An event without data, or without the order and customer it is about, can never be processed: DROP lets daprd
        // dead-letter it for an operator (the hostile-input corpus of tests/DaprOrders.Chaos.Tests sends {}).
        outcome is null
            ? TopicResponse.Drop()
            : TopicResponse.For(await notifier.NotifyAsync(outcome, cancellationToken));
}
