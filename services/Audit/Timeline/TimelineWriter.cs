using System.Threading.Channels;
using DaprOrders.BuildingBlocks.State;
using Microsoft.Extensions.Options;

namespace DaprOrders.Audit.Timeline;

/// <summary>
/// Appends entries to order timelines in group commits. Deliveries queue their entries and wait; one loop takes
/// everything queued, reads those orders' timelines with one bulk get and saves the changed ones with one bulk save,
/// then answers every waiting delivery. A delivery alone still costs one read and one write; under load a batch of
/// deliveries shares them, instead of each paying two sidecar round trips. Acknowledgements wait for the save, so an
/// event is never acknowledged before it is on its timeline.
/// </summary>
/// <remarks>
/// One loop per process also means two deliveries of the same order never race each other for its ETag; conflicts
/// come only from other replicas. daprd's bulk save is not atomic, so after a conflict the whole batch is read again:
/// entries that did land are recognised by id and not written twice.
/// </remarks>
public sealed partial class TimelineWriter(AuditStore store, IOptions<AuditOptions> options, ILogger<TimelineWriter> logger)
    : BackgroundService
{
    // Bounds one bulk request; at ~30 concurrent deliveries per topic a batch rarely gets near it.
    private const int MaxBatch = 256;

    private readonly Channel<PendingAppend> _queue = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions
    {
        SingleReader = true,
    });

    /// <summary>
    /// Appends <paramref name="entries"/> (all of one order) to its timeline once the current batch is written.
    /// Returns the entries as stored (a duplicate keeps its first <c>receivedAt</c>), or null after repeated ETag
    /// conflicts, which the caller answers with RETRY.
    /// </summary>
    public Task<IReadOnlyList<AuditEntry>?> AppendAsync(string orderId, IReadOnlyList<AuditEntry> entries,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(orderId);
        ArgumentNullException.ThrowIfNull(entries);
        var pending = new PendingAppend(orderId, entries);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new InvalidOperationException("The timeline writer has stopped; the host is shutting down.");
        }

        return pending.Completion.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingAppend>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                }

                await CommitAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down (Kestrel has already drained its requests): nobody is left waiting for a queued append.
        }
        finally
        {
            _queue.Writer.TryComplete();
            foreach (var pending in batch)
            {
                pending.Completion.TrySetCanceled();
            }

            while (_queue.Reader.TryRead(out var pending))
            {
                pending.Completion.TrySetCanceled();
            }
        }
    }

    private async Task CommitAsync(List<PendingAppend> batch, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        // Entries of one order in queue order, so a timeline's order of equal receivedAt follows delivery order.
        var byOrder = batch.GroupBy(p => p.OrderId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.SelectMany(p => p.Entries).ToList(), StringComparer.Ordinal);
        try
        {
            for (var attempt = 1; attempt <= settings.MaxConcurrencyAttempts; attempt++)
            {
                var (timelines, writes) = await PrepareAsync(byOrder, settings, cancellationToken);
                try
                {
                    await store.Timelines.WriteManyAsync(writes, cancellationToken);
                }
                catch (StateConflictException)
                {
                    // Another replica wrote one of these timelines; read them all again (what did land is deduplicated).
                    continue;
                }

                foreach (var pending in batch)
                {
                    pending.Completion.TrySetResult(Canonical(timelines[pending.OrderId], pending.Entries));
                }

                return;
            }

            LogContention(logger, byOrder.Count, settings.MaxConcurrencyAttempts);
            foreach (var pending in batch)
            {
                pending.Completion.TrySetResult(null);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The sidecar or the store failed: each waiting delivery fails with it and daprd redelivers.
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(ex);
            }
        }
    }

    /// <summary>Reads the batch's timelines and appends to them; returns each order's timeline after the save and the writes.</summary>
    private async Task<(Dictionary<string, OrderTimeline> Timelines, List<(StateVersion<OrderTimeline> Read, OrderTimeline Value)> Writes)> PrepareAsync(
        Dictionary<string, List<AuditEntry>> byOrder, AuditOptions settings, CancellationToken cancellationToken)
    {
        var orderIds = byOrder.Keys.ToList();
        var versions = await store.Timelines.ReadManyAsync([.. orderIds.Select(AuditStore.TimelineKey)], cancellationToken);
        var timelines = new Dictionary<string, OrderTimeline>(byOrder.Count, StringComparer.Ordinal);
        var writes = new List<(StateVersion<OrderTimeline> Read, OrderTimeline Value)>(byOrder.Count);
        for (var i = 0; i < orderIds.Count; i++)
        {
            var orderId = orderIds[i];
            var entries = byOrder[orderId];
            var item = versions[i];
            var current = item.Value ?? OrderTimeline.Empty(orderId);
            var (updated, overflow) = current.Append(entries, settings.MaxTimelineEntries);
            if (overflow > 0)
            {
                LogTimelineFull(logger, orderId, overflow, settings.MaxTimelineEntries);
            }

            if (updated is null)
            {
                LogDuplicates(logger, orderId, entries.Count);
                timelines[orderId] = current;
                continue;
            }

            timelines[orderId] = updated;
            writes.Add((item, updated));
        }

        return (timelines, writes);
    }

    private static List<AuditEntry> Canonical(OrderTimeline timeline, IReadOnlyList<AuditEntry> entries)
    {
        var byId = timeline.Events.ToDictionary(e => e.Id, StringComparer.Ordinal);
        return [.. entries.Select(e => byId.GetValueOrDefault(e.Id, e))];
    }

    private sealed record PendingAppend(string OrderId, IReadOnlyList<AuditEntry> Entries)
    {
        public TaskCompletionSource<IReadOnlyList<AuditEntry>?> Completion { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Timeline of order {OrderId} already has all {Count} delivered entries")]
    private static partial void LogDuplicates(ILogger logger, string orderId, int count);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Timeline of order {OrderId} is full ({MaxEntries} entries); {Overflow} entries not stored")]
    private static partial void LogTimelineFull(ILogger logger, string orderId, int overflow, int maxEntries);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Gave up writing the timelines of {Count} order(s) after {Attempts} ETag conflicts; asking for redelivery")]
    private static partial void LogContention(ILogger logger, int count, int attempts);
}
