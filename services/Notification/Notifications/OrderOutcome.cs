using System.Globalization;
using DaprOrders.Contracts;

namespace DaprOrders.Notification.Notifications;

/// <summary>A terminal order event reduced to what the customer is told.</summary>
public sealed record OrderOutcome(string OrderId, string CustomerId, NotificationKind Kind, string Message)
{
    public static OrderOutcome From(OrderCompleted completed)
    {
        ArgumentNullException.ThrowIfNull(completed);
        return new OrderOutcome(completed.OrderId, completed.CustomerId, NotificationKind.OrderCompleted,
            $"Your order {completed.OrderId} is complete: {Format(completed.Total)} was charged and your items are on their way.");
    }

    public static OrderOutcome From(OrderCancelled cancelled)
    {
        ArgumentNullException.ThrowIfNull(cancelled);
        var why = cancelled.Reason switch
        {
            CancellationReason.OutOfStock => "some items are out of stock",
            CancellationReason.PaymentDeclined => "the payment was declined",
            CancellationReason.DeadlineExceeded => "it could not be completed in time",
            _ => "it could not be completed",
        };
        return new OrderOutcome(cancelled.OrderId, cancelled.CustomerId, NotificationKind.OrderCancelled,
            $"Your order {cancelled.OrderId} was cancelled because {why}. Nothing was charged, or any charge was refunded.");
    }

    /// <summary>Minor units to a plain decimal amount; exponent 2 is close enough for a message text.</summary>
    private static string Format(Money money) =>
        string.Create(CultureInfo.InvariantCulture, $"{money.Amount / 100m:0.00} {money.Currency}");
}
