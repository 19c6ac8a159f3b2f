using System.Collections.Concurrent;
using System.Threading.Channels;
using DaprOrders.Emulator.Resources;

namespace DaprOrders.Emulator.PubSub;

/// <summary>A message as the broker holds it: the bytes the publisher's sidecar produced and its request metadata.</summary>
public sealed record BrokerMessage(
    string PubsubName,
    string Topic,
    byte[] Data,
    IReadOnlyDictionary<string, string> Metadata,
    string? ContentType);

public enum SubscriptionType
{
    Declarative,
    Programmatic,
}

/// <summary>A subscription an app's sidecar runs: routes compiled, scopes checked.</summary>
public sealed record ActiveSubscription(
    string AppId,
    PubSubComponent Component,
    string Topic,
    IReadOnlyList<SubscriptionRule> Rules,
    string? DeadLetterTopic,
    IReadOnlyDictionary<string, string> Metadata,
    BulkSubscribeOptions? BulkSubscribe,
    SubscriptionType Type)
{
    internal IReadOnlyList<(RoutingExpression? Match, string Path)> CompiledRules { get; } =
        Rules.Select(r => (r.Match.Length == 0 ? null : RoutingExpression.Parse(r.Match), NormalizePath(r.Path))).ToList();

    private static string NormalizePath(string path) => path.StartsWith('/') ? path : "/" + path;
}

/// <summary>
/// The in-memory broker shared by every app: one consumer group per (app-id, pubsub, topic) — each subscribed app gets
/// its own copy of a message, like daprd's consumerID = app-id. Groups outlive app restarts: while an app is
/// disconnected its messages wait, and deliveries cut off by the restart are redelivered.
/// </summary>
public sealed class PubSubBroker(EmulatorOptions options, EmulatorClock clock)
{
    private readonly ConcurrentDictionary<(string AppId, string Pubsub, string Topic), ConsumerGroup> _groups = new();
    private int _queued;
    private int _delivering;
    private int _waitingForRetry;
    private int _inBulkWindows;

    /// <summary>Messages waiting in a queue or being delivered right now (not counting those waiting for a retry delay).</summary>
    public int InFlight => Volatile.Read(ref _queued) + Volatile.Read(ref _delivering);

    /// <summary>
    /// Deliveries waiting for a retry delay on the emulator's clock, and outbox messages waiting for their marker
    /// (<see cref="State.TransactionalOutbox"/>): advance a FakeTimeProvider to release them.
    /// </summary>
    public int PendingRetries => Volatile.Read(ref _waitingForRetry);

    /// <summary>
    /// Messages held in a bulk-subscribe batch that waits for its flush on the emulator's clock (counted in
    /// <see cref="PendingRetries"/> too): advance a FakeTimeProvider to <see cref="NextBulkFlush"/> to deliver them.
    /// </summary>
    public int InBulkWindows => Volatile.Read(ref _inBulkWindows);

    /// <summary>When the earliest batch holding messages is flushed (the next tick of its subscription), or null.</summary>
    public DateTimeOffset? NextBulkFlush => _groups.Values.Select(g => g.BulkFlushDue).Where(d => d is not null).Min();

    /// <summary>Messages published per topic so far (by "pubsub/topic").</summary>
    public ConcurrentDictionary<string, int> PublishedCounts { get; } = new(StringComparer.Ordinal);

    internal event Action<BrokerMessage>? Published;

    public IReadOnlyList<ActiveSubscription> SubscriptionsOf(string appId) =>
        _groups.Values.Where(g => g.AppId == appId && g.Subscription is not null).Select(g => g.Subscription!).ToList();

    /// <summary>Hands a message to every consumer group of its topic; returns at once (delivery is asynchronous).</summary>
    public void Publish(BrokerMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        PublishedCounts.AddOrUpdate($"{message.PubsubName}/{message.Topic}", 1, (_, n) => n + 1);
        foreach (var group in _groups.Values)
        {
            if (group.Pubsub == message.PubsubName && group.Topic == message.Topic && group.Subscription is not null)
            {
                group.Enqueue(new QueuedMessage(message, AllowDuplicate: true));
            }
        }

        Published?.Invoke(message);
    }

    /// <summary>Waits until nothing is queued, being delivered or waiting for a retry.</summary>
    public Task WaitForIdleAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitUntilAsync(b => b.InFlight == 0 && b.PendingRetries == 0, timeout, "idle", cancellationToken);

    /// <summary>
    /// Waits until nothing is queued or being delivered; deliveries may still wait for a retry delay. With a fake clock,
    /// call this before each Advance so that the retry timers exist when the clock moves.
    /// </summary>
    public Task WaitForSettledAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitUntilAsync(b => b.InFlight == 0, timeout, "settled", cancellationToken);

    /// <summary>Polls <paramref name="condition"/> on the real clock until it holds or the timeout passes.</summary>
    public async Task WaitUntilAsync(Func<PubSubBroker, bool> condition, TimeSpan timeout, string? description = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + timeout;
        var stableSince = DateTime.MinValue;
        while (true)
        {
            // Require the condition twice in a row: a delivery may be between two counters.
            if (condition(this))
            {
                if (stableSince != DateTime.MinValue)
                {
                    return;
                }

                stableSince = DateTime.UtcNow;
            }
            else
            {
                stableSince = DateTime.MinValue;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"pub/sub broker not {description ?? "in the expected state"} after {timeout}: in flight {InFlight}, pending retries {PendingRetries}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(2), cancellationToken);
        }
    }

    internal ConsumerGroup Group(string appId, string pubsub, string topic) =>
        _groups.GetOrAdd((appId, pubsub, topic), key => new ConsumerGroup(key.AppId, key.Pubsub, key.Topic, this, options.MaxConcurrentDeliveriesPerSubscription, clock));

    internal IEnumerable<ConsumerGroup> GroupsOf(string appId) => _groups.Values.Where(g => g.AppId == appId);

    internal void RemoveGroup(ConsumerGroup group)
    {
        if (_groups.TryRemove((group.AppId, group.Pubsub, group.Topic), out _))
        {
            Interlocked.Add(ref _queued, -group.DiscardBacklog());
        }
    }

    internal void CountQueued(int delta) => Interlocked.Add(ref _queued, delta);

    internal void CountDelivering(int delta) => Interlocked.Add(ref _delivering, delta);

    internal void CountWaitingForRetry(int delta) => Interlocked.Add(ref _waitingForRetry, delta);

    internal void CountInBulkWindow(int delta)
    {
        // Both move together: a message in a window is also waiting on the clock.
        Interlocked.Add(ref _inBulkWindows, delta);
        Interlocked.Add(ref _waitingForRetry, delta);
    }
}

/// <summary>One message waiting for one consumer group.</summary>
/// <param name="AllowDuplicate">False for the copy a Duplicate fault made, so faults do not cascade.</param>
internal sealed record QueuedMessage(BrokerMessage Message, bool AllowDuplicate);

/// <summary>A consumer group: the queue of one app's subscription to one topic and its delivery loop.</summary>
internal sealed class ConsumerGroup
{
    private readonly PubSubBroker _broker;
    private readonly Channel<QueuedMessage> _queue = Channel.CreateUnbounded<QueuedMessage>();
    private readonly SemaphoreSlim _concurrency;
    private readonly Lock _lock = new();
    private CancellationTokenSource? _connection;
    private Task _loop = Task.CompletedTask;

    private readonly EmulatorClock _clock;

    public ConsumerGroup(string appId, string pubsub, string topic, PubSubBroker broker, int maxConcurrency, EmulatorClock clock)
    {
        _clock = clock;
        AppId = appId;
        Pubsub = pubsub;
        Topic = topic;
        _broker = broker;
        _concurrency = new SemaphoreSlim(Math.Max(1, maxConcurrency));
    }

    public string AppId { get; }

    public string Pubsub { get; }

    public string Topic { get; }

    public ActiveSubscription? Subscription { get; private set; }

    public void Enqueue(QueuedMessage message)
    {
        _broker.CountQueued(1);
        if (!_queue.Writer.TryWrite(message))
        {
            _broker.CountQueued(-1);
        }
    }

    /// <summary>Starts (or restarts after an app reconnect) delivering one by one, or in batches when bulkSubscribe is enabled.</summary>
    public void Start(
        ActiveSubscription subscription,
        Func<ActiveSubscription, QueuedMessage, CancellationToken, Task> deliver,
        Func<ActiveSubscription, IReadOnlyList<QueuedMessage>, CancellationToken, Task> deliverBatch)
    {
        lock (_lock)
        {
            Subscription = subscription;
            _connection?.Cancel();
            _connection?.Dispose();
            _connection = new CancellationTokenSource();
            var token = _connection.Token;
            _loop = subscription.BulkSubscribe is { Enabled: true } bulk
                ? Task.Run(() => RunBulkAsync(deliverBatch, bulk, token), CancellationToken.None)
                : Task.Run(() => RunAsync(deliver, token), CancellationToken.None);
        }
    }

    /// <summary>The app went away: stop reading; deliveries in progress are cancelled and requeued by the deliverer.</summary>
    public async Task PauseAsync()
    {
        Task loop;
        lock (_lock)
        {
            _connection?.Cancel();
            loop = _loop;
        }

        try
        {
            await loop;
        }
        catch (OperationCanceledException)
        {
            // Expected on pause.
        }
    }

    public int DiscardBacklog()
    {
        var discarded = 0;
        while (_queue.Reader.TryRead(out _))
        {
            discarded++;
        }

        return discarded;
    }

    /// <summary>While a bulk batch holds messages: the emulator-clock time of the tick that flushes it.</summary>
    public DateTimeOffset? BulkFlushDue { get; private set; }

    // daprd's default bulk subscriber (dapr/dapr release-1.17 pkg/runtime/pubsub/default_bulksub.go), used for brokers
    // without native bulk subscribe: one loop per subscription adds messages to a batch and flushes it when it holds
    // maxMessagesCount or when a ticker of period maxAwaitDurationMs, started with the subscription, ticks. The flush is
    // synchronous, so one batch per subscription is in flight (retries included) and new messages wait meanwhile; a
    // tick that passes during a flush fires right after it (Go's ticker keeps one), later ticks stay on the grid.
    private async Task RunBulkAsync(
        Func<ActiveSubscription, IReadOnlyList<QueuedMessage>, CancellationToken, Task> deliverBatch,
        BulkSubscribeOptions bulk,
        CancellationToken connection)
    {
        var period = TimeSpan.FromMilliseconds(bulk.MaxAwaitDurationMs);
        var started = _clock.Time.GetUtcNow();
        var nextTick = started + period;
        var batch = new List<QueuedMessage>();
        try
        {
            while (!connection.IsCancellationRequested)
            {
                await _queue.Reader.WaitToReadAsync(connection);
                TakeAvailable(batch, bulk.MaxMessagesCount);
                var now = _clock.Time.GetUtcNow();
                if (now >= nextTick)
                {
                    // Ticks while the batch was empty flushed nothing.
                    nextTick = NextTickAfter(started, period, now);
                }

                using (var released = _clock.BeginWork())
                {
                    if (batch.Count < bulk.MaxMessagesCount)
                    {
                        BulkFlushDue = nextTick;
                        using var fill = CancellationTokenSource.CreateLinkedTokenSource(connection);
                        var tick = _clock.DelayAsync(nextTick - now, fill.Token);
                        while (batch.Count < bulk.MaxMessagesCount && !tick.IsCompleted)
                        {
                            await Task.WhenAny(tick, _queue.Reader.WaitToReadAsync(fill.Token).AsTask());
                            connection.ThrowIfCancellationRequested();
                            TakeAvailable(batch, bulk.MaxMessagesCount);
                        }

                        await fill.CancelAsync();
                        BulkFlushDue = null;
                        if (tick.IsCompletedSuccessfully)
                        {
                            nextTick += period;
                        }
                    }

                    await FlushAsync(deliverBatch, batch, released, connection);
                }

                while (!connection.IsCancellationRequested && _clock.Time.GetUtcNow() is var after && after >= nextTick)
                {
                    // The tick Go's ticker kept during the flush: what arrived meanwhile goes at once.
                    nextTick = NextTickAfter(started, period, after);
                    TakeAvailable(batch, bulk.MaxMessagesCount);
                    if (batch.Count == 0)
                    {
                        break;
                    }

                    await FlushAsync(deliverBatch, batch, released: null, connection);
                }
            }
        }
        catch (OperationCanceledException) when (connection.IsCancellationRequested)
        {
            // Paused: messages of a batch still filling go back to the queue; a batch in delivery requeues itself.
            BulkFlushDue = null;
            foreach (var message in batch)
            {
                Enqueue(message);
                _broker.CountInBulkWindow(-1);
            }
        }
    }

    private static DateTimeOffset NextTickAfter(DateTimeOffset started, TimeSpan period, DateTimeOffset now) =>
        started + (period * (Math.Floor((now - started) / period) + 1));

    private async Task FlushAsync(
        Func<ActiveSubscription, IReadOnlyList<QueuedMessage>, CancellationToken, Task> deliverBatch,
        List<QueuedMessage> batch,
        IDisposable? released,
        CancellationToken connection)
    {
        List<QueuedMessage> flushed = [.. batch];
        batch.Clear();
        _broker.CountDelivering(flushed.Count);
        _broker.CountInBulkWindow(-flushed.Count);
        // The window's wake is released work until the batch counts as delivering.
        released?.Dispose();
        try
        {
            await deliverBatch(Subscription!, flushed, connection);
        }
        finally
        {
            _broker.CountDelivering(-flushed.Count);
        }
    }

    private void TakeAvailable(List<QueuedMessage> batch, int max)
    {
        while (batch.Count < max && _queue.Reader.TryRead(out var message))
        {
            _broker.CountInBulkWindow(1);
            _broker.CountQueued(-1);
            batch.Add(message);
        }
    }

    private async Task RunAsync(Func<ActiveSubscription, QueuedMessage, CancellationToken, Task> deliver, CancellationToken connection)
    {
        var running = new List<Task>();
        try
        {
            while (!connection.IsCancellationRequested)
            {
                await _concurrency.WaitAsync(connection);
                QueuedMessage message;
                try
                {
                    message = await _queue.Reader.ReadAsync(connection);
                }
                catch
                {
                    _concurrency.Release();
                    throw;
                }

                _broker.CountDelivering(1);
                _broker.CountQueued(-1);
                var subscription = Subscription!;
                running.RemoveAll(t => t.IsCompleted);
                running.Add(Task.Run(
                    async () =>
                    {
                        try
                        {
                            await deliver(subscription, message, connection);
                        }
                        finally
                        {
                            _broker.CountDelivering(-1);
                            _concurrency.Release();
                        }
                    },
                    CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (connection.IsCancellationRequested)
        {
            // Paused: wait for cut-off deliveries to requeue themselves.
        }

        await Task.WhenAll(running);
    }
}
