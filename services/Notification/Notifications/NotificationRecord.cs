using System.Text.Json.Serialization;
using DaprOrders.Contracts;

namespace DaprOrders.Notification.Notifications;

/// <summary>
/// Lifecycle of an order's notification: Sent once the customer has it. Pending only for an external channel: written
/// before calling it, as the claim of the delivery that calls.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<NotificationStatus>))]
public enum NotificationStatus
{
    Pending,
    Sent,
}

/// <summary>
/// What the customer is told, handed to an <see cref="Channels.INotificationChannel"/>. <see cref="OrderId"/> doubles
/// as the idempotency key a channel can pass on, so a receiver can drop the rare repeat (see README).
/// </summary>
public sealed record OrderNotification(
    string OrderId,
    string CustomerId,
    NotificationKind Kind,
    string Message,
    DateTimeOffset CreatedAt);

/// <summary>
/// The per-order notification document (state key <c>notification-{orderId}</c>), the only thing deciding whether to
/// send. Created with first-write concurrency: Sent in the same transaction as the mailbox of a stored channel, or
/// Pending (claimed) before an external channel is called.
/// </summary>
/// <param name="ClaimToken">Identifies the delivery that currently owns sending; null when nobody does.</param>
/// <param name="ClaimedUntil">The owner's lease; after it passes another delivery may take over a Pending record.</param>
/// <param name="SendAttempts">How many times a delivery claimed the record to send it, or wrote it Sent with its mailbox.</param>
/// <param name="Reannounced">A repeated delivery found it Sent and announced it again; later repeats announce nothing.</param>
public sealed record NotificationRecord(
    string OrderId,
    string CustomerId,
    NotificationKind Kind,
    string Channel,
    string Message,
    NotificationStatus Status,
    DateTimeOffset CreatedAt,
    string? ClaimToken,
    DateTimeOffset? ClaimedUntil,
    int SendAttempts,
    DateTimeOffset? SentAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Reannounced = false)
{
    /// <summary>A new record for <paramref name="outcome"/>, not yet sent or claimed.</summary>
    public static NotificationRecord For(OrderOutcome outcome, string channel, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return new NotificationRecord(outcome.OrderId, outcome.CustomerId, outcome.Kind, channel, outcome.Message,
            NotificationStatus.Pending, now, ClaimToken: null, ClaimedUntil: null, SendAttempts: 0, SentAt: null);
    }

    /// <summary>This notification claimed by one delivery until <paramref name="until"/>, one send attempt more.</summary>
    public NotificationRecord ClaimedBy(string channel, string token, DateTimeOffset until) =>
        this with { Channel = channel, ClaimToken = token, ClaimedUntil = until, SendAttempts = SendAttempts + 1 };

    /// <summary>This notification sent at <paramref name="now"/>, released from any claim.</summary>
    public NotificationRecord SentThrough(string channel, DateTimeOffset now) =>
        this with { Channel = channel, Status = NotificationStatus.Sent, SentAt = now, ClaimToken = null, ClaimedUntil = null };

    public OrderNotification ToNotification() => new(OrderId, CustomerId, Kind, Message, CreatedAt);
}

/// <summary>The bounded list behind <c>GET /notifications</c> (state key <c>notification-recent</c>), newest first.</summary>
public sealed record RecentNotifications(IReadOnlyList<string> OrderIds)
{
    public static RecentNotifications Empty { get; } = new([]);

    /// <summary>Adds <paramref name="orderId"/> at the front; null when it is already listed (nothing to write).</summary>
    public RecentNotifications? With(string orderId, int limit)
    {
        if (OrderIds.Contains(orderId, StringComparer.Ordinal))
        {
            return null;
        }

        return new RecentNotifications([orderId, .. OrderIds.Take(limit - 1)]);
    }
}

/// <summary>Public view of a sent notification.</summary>
public sealed record NotificationView(
    string OrderId,
    string CustomerId,
    NotificationKind Kind,
    string Channel,
    DateTimeOffset SentAt,
    string Message)
{
    public static NotificationView? From(NotificationRecord record) =>
        record is { Status: NotificationStatus.Sent, SentAt: { } sentAt }
            ? new NotificationView(record.OrderId, record.CustomerId, record.Kind, record.Channel, sentAt, record.Message)
            : null;
}
