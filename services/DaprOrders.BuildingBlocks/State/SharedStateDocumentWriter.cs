using System.Threading.Channels;
using Dapr;
using Dapr.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DaprOrders.BuildingBlocks.State;

/// <summary>Tuning of a <see cref="SharedStateDocumentWriter{TUpdate, TDocument}"/>.</summary>
/// <param name="QueueLimit">Updates waiting to be written; beyond this new ones are dropped.</param>
/// <param name="FlushInterval">
/// Pause after each write, so that under load updates gather into few large batches instead of rewriting the document
/// back to back. Zero writes as soon as updates arrive.
/// </param>
public sealed record SharedStateDocumentSettings(int QueueLimit, TimeSpan FlushInterval)
{
    public static SharedStateDocumentSettings Default { get; } = new(50_000, TimeSpan.FromMilliseconds(250));
}

/// <summary>
/// One state document that every request of a service touches: an overview or a "recent" list. Callers enqueue
/// updates without waiting, and one background loop applies them in batches through an
/// <see cref="ETaggedStateStore{T}"/>: one read and one guarded write per batch, re-read and re-applied on conflict.
/// So the request path pays no sidecar round trip for the overview and never contends on one hot key, and several
/// replicas can still share the document without losing updates.
/// </summary>
/// <remarks>
/// Only for documents that may lag and may lose the last updates on a crash (they are views, not records): whatever
/// is still queued at shutdown or after repeated failures is dropped and logged.
/// </remarks>
public abstract partial class SharedStateDocumentWriter<TUpdate, TDocument> : BackgroundService
    where TDocument : class
{
    private const int MaxBatch = 1000;
    private const int MaxAttempts = 10;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    private readonly Channel<TUpdate> _queue;
    private readonly ETaggedStateStore<TDocument> _store;
    private readonly SharedStateDocumentSettings _settings;
    private readonly ILogger _logger;

    protected SharedStateDocumentWriter(DaprClient dapr, string storeName, SharedStateDocumentSettings settings, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(dapr);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(logger);
        _store = new ETaggedStateStore<TDocument>(dapr, storeName);
        _settings = settings;
        _logger = logger;
        _queue = Channel.CreateBounded<TUpdate>(new BoundedChannelOptions(Math.Max(1, settings.QueueLimit))
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });
    }

    /// <summary>Key of the document.</summary>
    protected abstract string Key { get; }

    /// <summary>The document with the batch applied; <paramref name="current"/> is null before the first write.</summary>
    protected abstract TDocument Apply(TDocument? current, IReadOnlyList<TUpdate> batch);

    /// <summary>Queues an update; false when the queue is full and the update was dropped.</summary>
    public bool Enqueue(TUpdate update) => _queue.Writer.TryWrite(update);

    /// <summary>The document as last written (null before the first write).</summary>
    public async Task<TDocument?> ReadAsync(CancellationToken cancellationToken = default) =>
        (await _store.ReadAsync(Key, cancellationToken)).Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<TUpdate>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var update))
                {
                    batch.Add(update);
                }

                await WriteAsync(batch, stoppingToken);
                if (_settings.FlushInterval > TimeSpan.Zero)
                {
                    // Real time on purpose: this paces load on the sidecar, it is not part of any order's timeline.
                    await Task.Delay(_settings.FlushInterval, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: whatever is still queued is lost, which a view tolerates.
        }
    }

    private async Task WriteAsync(List<TUpdate> batch, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            try
            {
                var written = await _store.UpdateAsync(Key, read => new StateChange<TDocument, bool>(Apply(read.Value, batch), true),
                    maxAttempts: 1, cancellationToken);
                if (written is not null)
                {
                    return;
                }

                // Another replica wrote in between: the next attempt re-reads and re-applies.
            }
            catch (DaprException ex)
            {
                LogWriteFailed(_logger, Key, batch.Count, attempt, ex);
                await Task.Delay(RetryDelay, cancellationToken);
            }
        }

        LogBatchDropped(_logger, Key, batch.Count);
    }

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "Writing {Count} update(s) to state document {Key} failed (attempt {Attempt})")]
    private static partial void LogWriteFailed(ILogger logger, string key, int count, int attempt, Exception exception);

    [LoggerMessage(EventId = 402, Level = LogLevel.Error, Message = "Dropped {Count} update(s) to state document {Key} after repeated failures")]
    private static partial void LogBatchDropped(ILogger logger, string key, int count);
}
