using DaprOrders.BuildingBlocks;
using DaprOrders.BuildingBlocks.Messaging;
using DaprOrders.Contracts;
using DaprOrders.Notification.Notifications;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace DaprOrders.Notification.Api;

public static class NotificationEndpoints
{
    /// <summary>Public read API: what the customer was told.</summary>
    public static RouteGroupBuilder MapNotificationApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup(string.Empty).WithTags("Notifications");

        api.MapGet("/notifications", ListAsync)
            .WithName("ListNotifications")
            .WithSummary("Notifications sent, newest first")
            .WithDescription("With orderId: the notification of that order (zero or one). Without: the latest sent notifications (limit, default 20).");
        return api;
    }

    /// <summary>Sidecar-facing subscriptions on <c>orders</c> (<see cref="DaprAppExtensions.MapTopicEndpoints"/>).</summary>
    public static RouteGroupBuilder MapNotificationEvents(this IEndpointRouteBuilder endpoints, string pubsubName)
    {
        var events = endpoints.MapTopicEndpoints();

        events.MapPost("/orders/completed", (OrderCompleted data, OrderNotifier notifier, CancellationToken cancellationToken) =>
                NotifyAsync(data is { OrderId.Length: > 0, CustomerId.Length: > 0, Total: not null } ? OrderOutcome.From(data) : null, notifier, cancellationToken))
            .WithTopic(TopicSubscriptions.OfType(pubsubName, Topics.Orders, EventTypes.OrderCompleted, Topics.DeadLetters, priority: 1));

        events.MapPost("/orders/cancelled", (OrderCancelled data, OrderNotifier notifier, CancellationToken cancellationToken) =>
                NotifyAsync(data is { OrderId.Length: > 0, CustomerId.Length: > 0 } ? OrderOutcome.From(data) : null, notifier, cancellationToken))
            .WithTopic(TopicSubscriptions.OfType(pubsubName, Topics.Orders, EventTypes.OrderCancelled, Topics.DeadLetters, priority: 2));

        // Every other type on `orders` (created, payment.requested).
        events.AcknowledgeOtherEvents(pubsubName, Topics.Orders, Topics.DeadLetters);
        return events;
    }

    private static async Task<TopicResponse> NotifyAsync(OrderOutcome? outcome, OrderNotifier notifier, CancellationToken cancellationToken) =>
        // An event without data, or without the order and customer it is about, can never be processed: DROP lets daprd
        // dead-letter it for an operator (the hostile-input corpus of tests/DaprOrders.Chaos.Tests sends {}).
        outcome is null
            ? TopicResponse.Drop()
            : TopicResponse.For(await notifier.NotifyAsync(outcome, cancellationToken));

    private static async Task<Results<Ok<IReadOnlyList<NotificationView>>, ValidationProblem>> ListAsync(
        NotificationStore store, IOptions<NotificationOptions> options, CancellationToken cancellationToken,
        string? orderId = null, int? limit = null)
    {
        var max = options.Value.RecentLimit;
        if (limit is < 1 || limit > max)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["limit"] = [$"limit must be between 1 and {max}."],
            });
        }

        if (orderId is not null)
        {
            if (string.IsNullOrWhiteSpace(orderId))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["orderId"] = ["orderId must not be empty."] });
            }

            var entry = await store.GetRecordAsync(orderId, cancellationToken);
            IReadOnlyList<NotificationView> one = entry.Value is { } record && NotificationView.From(record) is { } view ? [view] : [];
            return TypedResults.Ok(one);
        }

        var recent = await store.GetRecentAsync(cancellationToken);
        var ids = (recent.Value ?? RecentNotifications.Empty).OrderIds.Take(limit ?? 20).ToList();
        var records = await store.GetRecordsAsync(ids, cancellationToken);
        IReadOnlyList<NotificationView> views = [.. records.Select(NotificationView.From).OfType<NotificationView>().OrderByDescending(v => v.SentAt)];
        return TypedResults.Ok(views);
    }
}
