using System.Threading.Channels;
using DaprOrders.Ordering.Orders;
using DaprOrders.Sidecar;
using Microsoft.Extensions.Options;

namespace DaprOrders.Ordering.Index;

/// <summary>Settings of the operations index (section <c>Ordering:Index</c>).</summary>
public sealed class OrderIndexOptions
{
    public const string Section = "Ordering:Index";

    /// <summary>How many recent orders the index keeps (and <c>GET /orders</c> can list).</summary>
    public int Capacity { get; set; } = 1000;

    /// <summary>Updates waiting to be written; beyond this they are dropped (the index is an overview, not a record).</summary>
    public int QueueLimit { get; set; } = 50_000;

    /// <summary>
    /// Pause after each write so that under load updates gather into few, large batches instead of rewriting the
    /// document back to back (it is read and written whole). Default 250 ms; zero writes as soon as updates arrive.
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(250);
}

/// <summary>
/// Hands index updates to <see cref="OrderIndexWriter"/> without waiting: the intake and the saga must not pay a
/// sidecar round trip, nor contend on one document, for the operations overview.
/// </summary>
public sealed class OrderIndexQueue
{
    private readonly Channel<OrderIndexUpdate> _channel;

    public OrderIndexQueue(IOptions<OrderIndexOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _channel = Channel.CreateBounded<OrderIndexUpdate>(new BoundedChannelOptions(Math.Max(1, options.Value.QueueLimit))
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });
    }

    internal ChannelReader<OrderIndexUpdate> Reader => _channel.Reader;

    public void Enqueue(OrderDocument order, OrderStatus? previousStatus)
    {
        ArgumentNullException.ThrowIfNull(order);
        _channel.Writer.TryWrite(new OrderIndexUpdate(
            new OrderSummary(order.OrderId, order.CustomerId, order.Total, order.Status, order.CreatedAt, order.UpdatedAt),
            previousStatus));
    }
}

/// <summary>
/// Applies queued index updates in batches: one read and one ETag-guarded save per batch, retried on conflict, so
/// several instances of the service can share the document without losing each other's updates.
/// </summary>
public sealed partial class OrderIndexWriter(
    OrderIndexQueue queue,
    DaprSidecarClient sidecar,
    IOptions<OrderIndexOptions> options,
    ILogger<OrderIndexWriter> logger) : BackgroundService
{
    public const string Key = "orders-index";

    private const int MaxBatch = 1000;
    private const int MaxAttempts = 10;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    public static async Task<OrderIndexDocument> ReadAsync(DaprSidecarClient sidecar, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sidecar);
        return await sidecar.GetStateAsync(OrderStore.StoreName, Key, OrderingJsonContext.Default.OrderIndexDocument,
            cancellationToken: cancellationToken) ?? OrderIndexDocument.Empty;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<OrderIndexUpdate>(MaxBatch);
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && queue.Reader.TryRead(out var update))
                {
                    batch.Add(update);
                }

                await WriteAsync(batch, stoppingToken);
                if (options.Value.FlushInterval > TimeSpan.Zero)
                {
                    // Real time on purpose: this paces load on the sidecar, it is not part of any order's timeline.
                    await Task.Delay(options.Value.FlushInterval, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: whatever is still queued is lost, which the index tolerates.
        }
    }

    private async Task WriteAsync(List<OrderIndexUpdate> batch, CancellationToken cancellationToken)
    {
        var capacity = Math.Max(1, options.Value.Capacity);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            try
            {
                var entry = await sidecar.GetStateEntryAsync(OrderStore.StoreName, Key,
                    OrderingJsonContext.Default.OrderIndexDocument, cancellationToken: cancellationToken);
                var updated = (entry?.Value ?? OrderIndexDocument.Empty).Apply(batch, capacity);
                if (entry?.ETag is { Length: > 0 } etag)
                {
                    if (await sidecar.TrySaveStateAsync(OrderStore.StoreName, Key, updated,
                            OrderingJsonContext.Default.OrderIndexDocument, etag, cancellationToken: cancellationToken))
                    {
                        return;
                    }

                    continue; // another instance wrote in between: re-read and re-apply
                }

                // First write ever: first-write concurrency keeps two instances from both creating it.
                await sidecar.SaveStateAsync(OrderStore.StoreName, Key, updated, OrderingJsonContext.Default.OrderIndexDocument,
                    options: new StateOptions(ConcurrencyMode.FirstWrite), cancellationToken: cancellationToken);
                return;
            }
            catch (DaprETagMismatchException)
            {
                // Lost the race to create it; the next attempt reads the winner's document.
            }
            catch (Exception ex) when (ex is DaprApiException or DaprSidecarUnavailableException)
            {
                LogWriteFailed(logger, batch.Count, attempt, ex);
                await Task.Delay(RetryDelay, cancellationToken);
            }
        }

        LogBatchDropped(logger, batch.Count);
    }

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "Writing {Count} order index update(s) failed (attempt {Attempt})")]
    private static partial void LogWriteFailed(ILogger logger, int count, int attempt, Exception exception);

    [LoggerMessage(EventId = 402, Level = LogLevel.Error, Message = "Dropped {Count} order index update(s) after repeated failures")]
    private static partial void LogBatchDropped(ILogger logger, int count);
}
