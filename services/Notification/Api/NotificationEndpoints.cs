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
