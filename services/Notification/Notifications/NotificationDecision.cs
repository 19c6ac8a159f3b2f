namespace DaprOrders.Notification.Notifications;

/// <summary>What a delivery of <c>order.completed</c>/<c>order.cancelled</c> must do next for its order.</summary>
public enum NotificationStep
{
    /// <summary>No record yet: create it Pending (first-write), then send.</summary>
    Create,

    /// <summary>Pending and nobody holds a live claim (a sender crashed or gave up): claim it (ETag), then send.</summary>
    Resume,

    /// <summary>Pending and another delivery is sending right now: ask daprd to redeliver later.</summary>
    Wait,

    /// <summary>Sent, but <c>notification.sent</c> may not have been published: publish it (same CloudEvent id).</summary>
    Announce,

    /// <summary>Sent and announced: a duplicate; nothing to do.</summary>
    Done,
}

/// <summary>
/// The idempotency rule of the Notification service, free of I/O. "Pending" means "send", "Sent" means "skip":
/// together with the first-write of the Pending record before sending this gives at most one notification per order,
/// except for a crash in the short window after the channel accepted the message and before Sent was written.
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
            return record.Announced ? NotificationStep.Done : NotificationStep.Announce;
        }

        return record.ClaimToken is not null && record.ClaimedUntil is { } until && until > now
            ? NotificationStep.Wait
            : NotificationStep.Resume;
    }
}
