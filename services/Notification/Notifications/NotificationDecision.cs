namespace DaprOrders.Notification.Notifications;

/// <summary>What a delivery of <c>order.completed</c>/<c>order.cancelled</c> must do next for its order.</summary>
public enum NotificationStep
{
    /// <summary>No record yet: send (stored channel: record Sent + mailbox in one transaction; external: claim first).</summary>
    Create,

    /// <summary>Pending and nobody holds a live claim (an external sender crashed or gave up): send, as for Create.</summary>
    Resume,

    /// <summary>Pending and another delivery is sending right now: ask daprd to redeliver later.</summary>
    Wait,

    /// <summary>
    /// Sent: publish <c>notification.sent</c> (again, with the same CloudEvent id: the delivery that sent it may have
    /// stopped before publishing, and a repeat is a duplicate that subscribers drop), then mark the record
    /// <see cref="NotificationRecord.Reannounced"/>. The channel is not called again.
    /// </summary>
    Announce,

    /// <summary>
    /// Sent and announced again by an earlier repeat: nothing to do. Announcing on every repeat would turn each
    /// duplicate of <c>order.completed</c> into one more <c>notification.sent</c> for every subscriber.
    /// </summary>
    Ignore,
}

/// <summary>
/// The idempotency rule of the Notification service, free of I/O: "Sent" means announce only (once more), never send; "Pending"
/// with a live claim means someone else is sending. Which writes make a send happen once is
/// <see cref="OrderNotifier"/>'s, per kind of channel.
/// </summary>
public static class NotificationDecision
{
    public static NotificationStep Decide(NotificationRecord? record, DateTimeOffset now)
    {
        if (record is null)
        {
            return NotificationStep.Create;
        }

        if (record.Status == NotificationStatus.Sent)
        {
            return record.Reannounced ? NotificationStep.Ignore : NotificationStep.Announce;
        }

        return record.ClaimToken is not null && record.ClaimedUntil is { } until && until > now
            ? NotificationStep.Wait
            : NotificationStep.Resume;
    }
}
