using System.Text.Json.Serialization;

namespace DaprOrders.Contracts;

/// <summary>
/// <c>daprorders.notification.sent.v1</c> on <c>notifications</c>: the customer was told about the outcome.
/// <see cref="Channel"/> names the delivery channel (e.g. <c>email</c>, <c>sms</c>, <c>log</c>).
/// </summary>
public sealed record NotificationSent(
    string OrderId,
    string CustomerId,
    NotificationKind Kind,
    string Channel,
    DateTimeOffset SentAt);

/// <summary>What the notification was about; on the wire <c>order-completed</c> or <c>order-cancelled</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NotificationKind>))]
public enum NotificationKind
{
    [JsonStringEnumMemberName("order-completed")]
    OrderCompleted,

    [JsonStringEnumMemberName("order-cancelled")]
    OrderCancelled,
}
