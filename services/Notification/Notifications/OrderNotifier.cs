using System.Security.Cryptography;
using Dapr;
using DaprOrders.BuildingBlocks.Messaging;
using DaprOrders.BuildingBlocks.State;
using DaprOrders.Contracts;
using DaprOrders.Notification.Channels;
using Microsoft.Extensions.Options;

namespace DaprOrders.Notification.Notifications;

/// <summary>
/// Notifies the customer about a terminal order at most once, whatever duplicates or crashes happen. Drives the
/// per-order <see cref="NotificationRecord"/> through <see cref="NotificationDecision"/>: every pass re-reads the record
/// and performs one conditional write, so concurrent deliveries for one order settle on a single sender.
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
        if (await store.Records.ChangeAsync(NotificationStore.RecordKey(outcome.OrderId), (pass, ct) => NotifyOnceAsync(pass, outcome, ct),
                settings.MaxConcurrencyAttempts, cancellationToken) is { } settled)
        {
            return settled;
        }

        LogContention(logger, outcome.OrderId, settings.MaxConcurrencyAttempts);
        return TopicStatus.Retry;
    }

    /// <summary>
    /// One pass over the order's record; null to read it again (a write lost a race, or the notification was just sent
    /// and the next pass announces it).
    /// </summary>
    private async Task<TopicStatus?> NotifyOnceAsync(StatePass<NotificationRecord> pass, OrderOutcome outcome, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var record = pass.Value;
        var now = timeProvider.GetUtcNow();
        if (record is not null && record.Kind != outcome.Kind)
        {
            // Ordering makes terminal states final, so this means a foreign or corrupt event: the first outcome stands.
            LogConflictingOutcome(logger, outcome.OrderId, record.Kind, outcome.Kind);
        }

        switch (NotificationDecision.Decide(record, now))
        {
            case NotificationStep.Done:
                LogDuplicate(logger, outcome.OrderId);
                return TopicStatus.Success;

            case NotificationStep.Wait:
                LogSendInProgress(logger, outcome.OrderId, record!.ClaimedUntil);
                return TopicStatus.Retry;

            case NotificationStep.Announce:
                await AnnounceAsync(pass, cancellationToken);
                return TopicStatus.Success;

            case NotificationStep.Create:
                var created = new NotificationRecord(outcome.OrderId, outcome.CustomerId, outcome.Kind, channel.Name,
                    outcome.Message, NotificationStatus.Pending, now, NewClaimToken(), now + settings.ClaimTimeout,
                    SendAttempts: 1, SentAt: null, Announced: false);
                if (await pass.TryWriteAsync(created, cancellationToken) &&
                    !await TrySendAsync(created, cancellationToken))
                {
                    return TopicStatus.Retry;
                }

                break;

            case NotificationStep.Resume:
                var claimed = record! with
                {
                    Channel = channel.Name,
                    ClaimToken = NewClaimToken(),
                    ClaimedUntil = now + settings.ClaimTimeout,
                    SendAttempts = record.SendAttempts + 1,
                };
                LogResuming(logger, outcome.OrderId, claimed.SendAttempts);
                if (await pass.TryWriteAsync(claimed, cancellationToken) &&
                    !await TrySendAsync(claimed, cancellationToken))
                {
                    return TopicStatus.Retry;
                }

                break;
        }

        return null;
    }

    /// <summary>Sends under our claim and records Sent. False when the channel failed (claim released, delivery retried).</summary>
    private async Task<bool> TrySendAsync(NotificationRecord claimed, CancellationToken cancellationToken)
    {
        try
        {
            await channel.SendAsync(claimed.ToNotification(), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogSendFailed(logger, claimed.OrderId, channel.Name, ex);
            await ReleaseClaimAsync(claimed, cancellationToken);
            return false;
        }

        await MarkSentAsync(claimed.OrderId, cancellationToken);
        return true;
    }

    private async Task MarkSentAsync(string orderId, CancellationToken cancellationToken)
    {
        // Marked Sent even if our lease ran out and another delivery claimed it meanwhile: the message did go out.
        var written = await store.Records.UpdateAsync(NotificationStore.RecordKey(orderId), read =>
            new StateChange<NotificationRecord, bool>(read.Value is { Status: not NotificationStatus.Sent } record
                ? record with { Status = NotificationStatus.Sent, SentAt = timeProvider.GetUtcNow(), ClaimToken = null, ClaimedUntil = null }
                : null, true), options.Value.MaxConcurrencyAttempts, cancellationToken);
        if (written is not null)
        {
            return;
        }

        // The record stays Pending with our lease: after ClaimTimeout a redelivery sends again. Rare and logged.
        throw new InvalidOperationException($"Could not mark the notification of order {orderId} as sent after repeated ETag conflicts.");
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

    /// <summary>Lists the order in the recent index, publishes <c>notification.sent</c> and notes that it did.</summary>
    private async Task AnnounceAsync(StatePass<NotificationRecord> pass, CancellationToken cancellationToken)
    {
        var record = pass.Value!;
        recent.Enqueue(record.OrderId);
        var sentAt = record.SentAt ?? record.CreatedAt;
        await publisher.PublishAsync(options.Value.PubsubName, Topics.Of(EventTypes.NotificationSent),
            new NotificationSent(record.OrderId, record.CustomerId, record.Kind, record.Channel, sentAt),
            EventTypes.NotificationSent, AnnouncementId(record.OrderId), cancellationToken);
        LogAnnounced(logger, record.OrderId, record.Kind, record.Channel);

        // Losing this race only means a later duplicate publishes again, with the same CloudEvent id.
        await pass.TryWriteAsync(record with { Announced = true }, cancellationToken);
    }

    private static string NewClaimToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Order {OrderId} was already notified; duplicate ignored")]
    private static partial void LogDuplicate(ILogger logger, string orderId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Another delivery is notifying order {OrderId} (claimed until {ClaimedUntil}); asking for redelivery")]
    private static partial void LogSendInProgress(ILogger logger, string orderId, DateTimeOffset? claimedUntil);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Resuming the pending notification of order {OrderId} (send attempt {SendAttempt})")]
    private static partial void LogResuming(ILogger logger, string orderId, int sendAttempt);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Channel {Channel} failed to notify order {OrderId}; the delivery will be retried")]
    private static partial void LogSendFailed(ILogger logger, string orderId, string channel, Exception exception);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Could not release the notification claim of order {OrderId}; it expires on its own")]
    private static partial void LogReleaseFailed(ILogger logger, string orderId, Exception exception);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Published notification.sent for order {OrderId} ({Kind}, channel {Channel})")]
    private static partial void LogAnnounced(ILogger logger, string orderId, NotificationKind kind, string channel);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Order {OrderId} already has a {RecordedKind} notification; ignoring {IncomingKind}")]
    private static partial void LogConflictingOutcome(ILogger logger, string orderId, NotificationKind recordedKind, NotificationKind incomingKind);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Gave up on order {OrderId} after {Attempts} conflicting writes; asking for redelivery")]
    private static partial void LogContention(ILogger logger, string orderId, int attempts);
}
