using System.Text.Json;
using Dapr;
using DaprOrders.Audit.Telemetry;
using DaprOrders.Audit.Timeline;
using DaprOrders.BuildingBlocks.Messaging;
using DaprOrders.BuildingBlocks.State;
using Microsoft.Extensions.Options;

namespace DaprOrders.Audit.DeadLetters;

/// <summary>Result of a replay or discard request.</summary>
public sealed record DeadLetterActionOutcome(DeadLetterActionResult Result, DeadLetterRecord? Record, string? PublishError = null);

/// <summary>
/// Receives dead letters, keeps them for inspection and lets an operator replay or discard them. Records are
/// written with ETags; the index is a separate document kept in step on arrival.
/// </summary>
public sealed partial class DeadLetterOffice(
    AuditStore store,
    AuditRecorder recorder,
    EventPublisher publisher,
    IOptions<AuditOptions> options,
    TimeProvider timeProvider,
    AuditMetrics metrics,
    ILogger<DeadLetterOffice> logger)
{
    /// <summary>
    /// Stores a dead letter (the original CloudEvent, <paramref name="payload"/>) and puts a <c>dead-lettered</c> entry on
    /// its order's timeline. A payload that is not a CloudEvent with an id cannot be kept apart from others: DROP.
    /// </summary>
    public async Task<TopicStatus> ReceiveAsync(JsonElement payload, CancellationToken cancellationToken = default)
    {
        if (ObservedEvent.From(payload) is not { } observed)
        {
            LogUnreadable(logger);
            return TopicStatus.Drop;
        }

        var written = await store.DeadLetterRecords.UpdateAsync(AuditStore.DeadLetterKey(observed.Id), read =>
        {
            var record = DeadLetterLifecycle.Arrive(read.Value, observed, payload, timeProvider.GetUtcNow());
            return new StateChange<DeadLetterRecord, DeadLetterRecord>(record, record);
        }, options.Value.MaxConcurrencyAttempts, cancellationToken);
        if (written?.Result is not { } arrived || !await AddToIndexAsync(observed.Id, cancellationToken))
        {
            return TopicStatus.Retry;
        }

        LogArrived(logger, arrived.Id, arrived.Topic, arrived.Type, arrived.Attempts);
        metrics.DeadLetterReceived(arrived.Topic, arrived.Type);
        if (arrived.OrderId is null)
        {
            return TopicStatus.Success;
        }

        var statuses = await recorder.RecordAsync([AuditEntry.DeadLettered(observed, arrived.Attempts, arrived.LastSeen)], cancellationToken);
        return statuses[0];
    }

    public async Task<DeadLetterRecord?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        (await store.GetDeadLetterAsync(id, cancellationToken)).Value;

    /// <summary>Dead letters, most recently arrived first, optionally only those in <paramref name="status"/>.</summary>
    public async Task<IReadOnlyList<DeadLetterSummary>> ListAsync(DeadLetterStatus? status, int limit, CancellationToken cancellationToken = default)
    {
        var index = (await store.GetDeadLetterIndexAsync(cancellationToken)).Value ?? DeadLetterIndex.Empty;
        var records = await store.GetDeadLettersAsync(index.Ids, cancellationToken);
        return [.. records
            .Where(r => status is null || r.Status == status)
            .OrderByDescending(r => r.LastSeen)
            .Take(limit)
            .Select(r => r.ToSummary())];
    }

    /// <summary>
    /// Republishes the original CloudEvent to its original topic as a passthrough structured CloudEvent (same id,
    /// source, type and data), so every subscriber of that topic sees it again and dedupes if it already handled it.
    /// The record turns Replayed before publishing, so a replay that fails again at once is counted after it.
    /// </summary>
    public async Task<DeadLetterActionOutcome> ReplayAsync(string id, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var written = await store.DeadLetterRecords.UpdateAsync(AuditStore.DeadLetterKey(id), read =>
        {
            var (result, replayed) = DeadLetterLifecycle.Replay(read.Value, timeProvider.GetUtcNow());
            return new StateChange<DeadLetterRecord, DeadLetterActionOutcome>(replayed, new DeadLetterActionOutcome(result, read.Value));
        }, settings.MaxConcurrencyAttempts, cancellationToken) ?? throw new DeadLetterContentionException(id);
        if (written.Value is not { } replayed)
        {
            return written.Result;
        }

        // Written: the outcome holds the record as it was before the replay.
        var before = written.Result.Record!;
        try
        {
            await publisher.PublishCloudEventAsync(replayed.PubsubName ?? settings.PubsubName, replayed.Topic!,
                DeadLetterLifecycle.ReplayPayload(replayed.Payload), replayed.Type, replayed.Id, cancellationToken);
        }
        catch (DaprException ex)
        {
            LogReplayFailed(logger, id, replayed.Topic, ex);
            await UndoReplayAsync(before, replayed, cancellationToken);
            return new DeadLetterActionOutcome(DeadLetterActionResult.Applied, before, ex.Message);
        }

        LogReplayed(logger, id, replayed.Topic, replayed.Replays);
        metrics.DeadLetterReplayed(replayed.Topic, replayed.Type);
        return new DeadLetterActionOutcome(DeadLetterActionResult.Applied, replayed);
    }

    public async Task<DeadLetterActionOutcome> DiscardAsync(string id, CancellationToken cancellationToken = default)
    {
        var written = await store.DeadLetterRecords.UpdateAsync(AuditStore.DeadLetterKey(id), read =>
        {
            var (result, discarded) = DeadLetterLifecycle.Discard(read.Value, timeProvider.GetUtcNow());
            return new StateChange<DeadLetterRecord, DeadLetterActionOutcome>(discarded, new DeadLetterActionOutcome(result, discarded ?? read.Value));
        }, options.Value.MaxConcurrencyAttempts, cancellationToken) ?? throw new DeadLetterContentionException(id);
        if (written.Value is { } discarded)
        {
            LogDiscarded(logger, id, discarded.Topic);
        }

        return written.Result;
    }

    private async Task UndoReplayAsync(DeadLetterRecord before, DeadLetterRecord replayed, CancellationToken cancellationToken)
    {
        // Best effort: a record that changed again since (or kept changing) keeps its Replayed state.
        await store.DeadLetterRecords.UpdateAsync(AuditStore.DeadLetterKey(before.Id), read =>
            new StateChange<DeadLetterRecord, bool>(read.Value is { } current ? DeadLetterLifecycle.UndoReplay(current, before, replayed) : null, true),
            options.Value.MaxConcurrencyAttempts, cancellationToken);
    }

    private async Task<bool> AddToIndexAsync(string id, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var written = await store.DeadLetterIndexes.UpdateAsync(AuditStore.DeadLetterIndexKey, read =>
            new StateChange<DeadLetterIndex, bool>((read.Value ?? DeadLetterIndex.Empty).With(id, settings.MaxDeadLetters), true),
            settings.MaxConcurrencyAttempts, cancellationToken);
        return written is not null;
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Dead letter {EventId} from topic {Topic} ({Type}) stored; arrival {Attempts}")]
    private static partial void LogArrived(ILogger logger, string eventId, string? topic, string? type, int attempts);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Dropping a dead letter that is not a CloudEvent with an id")]
    private static partial void LogUnreadable(ILogger logger);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Dead letter {EventId} replayed to topic {Topic} (replay {Replays})")]
    private static partial void LogReplayed(ILogger logger, string eventId, string? topic, int replays);

    [LoggerMessage(EventId = 13, Level = LogLevel.Error, Message = "Replaying dead letter {EventId} to topic {Topic} failed")]
    private static partial void LogReplayFailed(ILogger logger, string eventId, string? topic, Exception exception);

    [LoggerMessage(EventId = 14, Level = LogLevel.Information, Message = "Dead letter {EventId} from topic {Topic} discarded")]
    private static partial void LogDiscarded(ILogger logger, string eventId, string? topic);
}

/// <summary>An operator action lost every ETag race against concurrent arrivals; the caller may try again.</summary>
public sealed class DeadLetterContentionException : Exception
{
    public DeadLetterContentionException()
    {
    }

    public DeadLetterContentionException(string eventId)
        : base($"Dead letter {eventId} kept changing while it was being updated; try again.")
    {
    }

    public DeadLetterContentionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
