using System.Security.Cryptography;
using Dapr;
using DaprOrders.BuildingBlocks.Messaging;
using DaprOrders.BuildingBlocks.State;
using DaprOrders.Contracts;
using DaprOrders.Notification.Channels;
using Microsoft.Extensions.Options;

namespace DaprOrders.Notification.Notifications;

/// <summary>
/// Notifies the customer about a terminal order once, whatever duplicates, races or crashes happen, and announces it
/// with <c>notification.sent</c> at least once under a stable CloudEvent id. Drives the per-order
/// <see cref="NotificationRecord"/> through <see cref="NotificationDecision"/>; how a send happens once depends on the
/// channel:
/// <list type="bullet">
/// <item><see cref="IStoredNotificationChannel"/>: the record (Sent, first-write or ETag) and the mailbox are one state
/// transaction. Only one transaction over the record can commit, so only one mailbox write ever lands.</item>
/// <item><see cref="IExternalNotificationChannel"/>: claim the record (Pending, first-write or ETag), call the channel,
/// mark it Sent. A concurrent duplicate finds the live claim and is retried; a crash after the call and before Sent
/// repeats the call once the claim expires (the channel passes the order id on as idempotency key).</item>
/// </list>
/// Nothing records the first announcement: the first repeated delivery that finds the record Sent publishes
/// <c>notification.sent</c> again with the same id, which subscribers drop as a duplicate, and marks the record so that
/// later repeats publish nothing (<see cref="NotificationStep.Ignore"/>).
/// </summary>
public sealed partial class OrderNotifier(
    NotificationStore store,
    RecentNotificationsWriter recent,
    INotificationChannel channel,
    EventPublisher publisher,
    IOptions<NotificationOptions> options,
    TimeProvider timeProvider,
    ILogger<OrderNotifier> logger)
{
    /// <summary>CloudEvent id of an order's <c>notification.sent</c>: stable, so a repeated announcement is a duplicate subscribers drop.</summary>
    public static string AnnouncementId(string orderId) => $"notification-sent-{orderId}";

    public async Task<TopicStatus> NotifyAsync(OrderOutcome outcome, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var settings = options.Value;
        var key = NotificationStore.RecordKey(outcome.OrderId);
        // Almost every delivery is its order's first: the first pass writes without reading, and the first-write refuses
        // the guess when a record exists (a duplicate), which the next pass then reads.
        if (await store.Records.ChangeAsync(key, (pass, ct) => NotifyOnceAsync(pass, outcome, ct),
                settings.MaxConcurrencyAttempts, cancellationToken, known: StateVersion<NotificationRecord>.Missing(key)) is { } settled)
        {
            return settled;
        }

        LogContention(logger, outcome.OrderId, settings.MaxConcurrencyAttempts);
        return TopicStatus.Retry;
    }

    /// <summary>One pass over the order's record; null to read it again (a write was refused).</summary>
    private async Task<TopicStatus?> NotifyOnceAsync(StatePass<NotificationRecord> pass, OrderOutcome outcome, CancellationToken cancellationToken)
    {
        var record = pass.Value;
        var now = timeProvider.GetUtcNow();
        if (record is not null && record.Kind != outcome.Kind)
        {
            // Ordering makes terminal states final, so this means a foreign or corrupt event: the first outcome stands.
            LogConflictingOutcome(logger, outcome.OrderId, record.Kind, outcome.Kind);
        }

        switch (NotificationDecision.Decide(record, now))
        {
            case NotificationStep.Announce:
                LogDuplicate(logger, outcome.OrderId);
                await AnnounceAsync(record!, cancellationToken);
                // After the announcement, never before it; refused: another repeat marked it first.
                await pass.TryWriteAsync(record! with { Reannounced = true }, cancellationToken);
                return TopicStatus.Success;

            case NotificationStep.Ignore:
                LogAlreadyAnnounced(logger, outcome.OrderId);
                return TopicStatus.Success;

            case NotificationStep.Wait:
                LogSendInProgress(logger, outcome.OrderId, record!.ClaimedUntil);
                return TopicStatus.Retry;

            default:
                var unsent = record ?? NotificationRecord.For(outcome, channel.Name, now);
                if (record is not null)
                {
                    LogResuming(logger, outcome.OrderId, record.SendAttempts + 1);
                }

                return channel switch
                {
                    IStoredNotificationChannel stored => await DeliverToMailboxAsync(pass, unsent, stored, now, cancellationToken),
                    IExternalNotificationChannel external => await SendUnderClaimAsync(pass, unsent, external, now, cancellationToken),
                    _ => throw new InvalidOperationException($"Channel {channel.Name} is neither stored nor external."),
                };
        }
    }

    /// <summary>Record Sent and the mailbox in one transaction, then announce. Null when the transaction was refused.</summary>
    private async Task<TopicStatus?> DeliverToMailboxAsync(StatePass<NotificationRecord> pass, NotificationRecord unsent,
        IStoredNotificationChannel stored, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var sent = unsent.SentThrough(stored.Name, now) with { SendAttempts = unsent.SendAttempts + 1 };
        var notification = sent.ToNotification();
        if (!await pass.TryWriteWithAsync(sent, [stored.Delivery(notification)], cancellationToken))
        {
            // Another delivery committed first (the next pass finds Sent and only announces), or the store failed the
            // transaction (the next pass finds the record as it was and tries again).
            return null;
        }

        stored.Delivered(notification);
        await AnnounceAsync(sent, cancellationToken);
        return TopicStatus.Success;
    }

    /// <summary>Claim, call the channel, mark Sent, announce. Null when the claim was refused (read again).</summary>
    private async Task<TopicStatus?> SendUnderClaimAsync(StatePass<NotificationRecord> pass, NotificationRecord unsent,
        IExternalNotificationChannel external, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var claimed = unsent.ClaimedBy(external.Name, NewClaimToken(), now + options.Value.ClaimTimeout);
        if (!await pass.TryWriteAsync(claimed, cancellationToken))
        {
            return null;
        }

        try
        {
            await external.SendAsync(claimed.ToNotification(), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogSendFailed(logger, claimed.OrderId, external.Name, ex);
            await ReleaseClaimAsync(claimed, cancellationToken);
            return TopicStatus.Retry;
        }

        await AnnounceAsync(await MarkSentAsync(claimed, cancellationToken), cancellationToken);
        return TopicStatus.Success;
    }

    /// <summary>
    /// Records Sent after an external send (daprd answers a save without the new ETag, so this reads the claim back
    /// first) and answers the record to announce.
    /// </summary>
    private async Task<NotificationRecord> MarkSentAsync(NotificationRecord claimed, CancellationToken cancellationToken)
    {
        // Marked Sent even if our lease ran out and another delivery claimed it meanwhile: the message did go out.
        var written = await store.Records.UpdateAsync(NotificationStore.RecordKey(claimed.OrderId), read =>
        {
            if (read.Value is { Status: NotificationStatus.Sent } sent)
            {
                return new StateChange<NotificationRecord, NotificationRecord>(null, sent);
            }

            var marked = (read.Value ?? claimed).SentThrough(claimed.Channel, timeProvider.GetUtcNow());
            return new StateChange<NotificationRecord, NotificationRecord>(marked, marked);
        }, options.Value.MaxConcurrencyAttempts, cancellationToken);
        // Null: the record stays Pending with our lease; after ClaimTimeout a redelivery sends again. Rare and logged.
        return written?.Result
            ?? throw new InvalidOperationException($"Could not mark the notification of order {claimed.OrderId} as sent after repeated ETag conflicts.");
    }

    private async Task ReleaseClaimAsync(NotificationRecord claimed, CancellationToken cancellationToken)
    {
        try
        {
            var entry = await store.Records.ReadAsync(NotificationStore.RecordKey(claimed.OrderId), cancellationToken);
            if (entry.Value is { Status: NotificationStatus.Pending } current && current.ClaimToken == claimed.ClaimToken)
            {
                await store.Records.TryWriteAsync(entry, current with { ClaimToken = null, ClaimedUntil = null }, cancellationToken);
            }
        }
        catch (DaprException ex)
        {
            // Harmless: the lease expires after ClaimTimeout and a redelivery takes over.
            LogReleaseFailed(logger, claimed.OrderId, ex);
        }
    }

    /// <summary>Lists the order in the recent index and publishes <c>notification.sent</c> under its stable id.</summary>
    private async Task AnnounceAsync(NotificationRecord sent, CancellationToken cancellationToken)
    {
        recent.Enqueue(sent.OrderId);
        await publisher.PublishAsync(options.Value.PubsubName, Topics.Of(EventTypes.NotificationSent),
            new NotificationSent(sent.OrderId, sent.CustomerId, sent.Kind, sent.Channel, sent.SentAt ?? sent.CreatedAt),
            EventTypes.NotificationSent, AnnouncementId(sent.OrderId), cancellationToken);
        LogAnnounced(logger, sent.OrderId, sent.Kind, sent.Channel);
    }

    private static string NewClaimToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Order {OrderId} was already notified; announcing it again")]
    private static partial void LogDuplicate(ILogger logger, string orderId);

    [LoggerMessage(EventId = 9, Level = LogLevel.Debug, Message = "Order {OrderId} was already notified and announced again; nothing to do")]
    private static partial void LogAlreadyAnnounced(ILogger logger, string orderId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Another delivery is notifying order {OrderId} (claimed until {ClaimedUntil}); asking for redelivery")]
    private static partial void LogSendInProgress(ILogger logger, string orderId, DateTimeOffset? claimedUntil);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Resuming the pending notification of order {OrderId} (send attempt {SendAttempt})")]
    private static partial void LogResuming(ILogger logger, string orderId, int sendAttempt);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Channel {Channel} failed to notify order {OrderId}; the delivery will be retried")]
    private static partial void LogSendFailed(ILogger logger, string orderId, string channel, Exception exception);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Could not release the notification claim of order {OrderId}; it expires on its own")]
    private static partial void LogReleaseFailed(ILogger logger, string orderId, Exception exception);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "Published notification.sent for order {OrderId} ({Kind}, channel {Channel})")]
    private static partial void LogAnnounced(ILogger logger, string orderId, NotificationKind kind, string channel);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Order {OrderId} already has a {RecordedKind} notification; ignoring {IncomingKind}")]
    private static partial void LogConflictingOutcome(ILogger logger, string orderId, NotificationKind recordedKind, NotificationKind incomingKind);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Gave up on order {OrderId} after {Attempts} conflicting writes; asking for redelivery")]
    private static partial void LogContention(ILogger logger, string orderId, int attempts);
}
