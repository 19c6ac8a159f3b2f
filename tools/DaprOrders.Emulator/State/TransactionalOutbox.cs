using System.Text.Json.Nodes;
using DaprOrders.Emulator.PubSub;
using DaprOrders.Emulator.Resiliency;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Emulator.State;

/// <summary>
/// daprd's transactional outbox in its two phases (dapr/dapr v1.17.13 pkg/runtime/pubsub/outbox.go, and the transaction
/// path of pkg/api/http/http.go and pkg/api/grpc/grpc.go). Before the commit, every upsert gets a marker key
/// <c>outbox-&lt;uuid&gt;</c> (value "0", no key prefix) added to the transaction, and an internal message goes to
/// <c>{namespace}{appId}{topic}outbox</c>. The internal subscriber waits 1 s, then looks for the marker (backoff from
/// 0.5 s, at most 3 s apart, for about 10 s). Found: the event is published under the marker's id to the final topic and
/// the marker deleted. Missing (the transaction failed): the message is discarded when
/// <c>outboxDiscardWhenMissingState</c> is true, else its delivery fails and the internal pub/sub's inbound policy
/// redelivers it. Every wait runs on the emulator's clock as released work.
/// </summary>
public sealed partial class TransactionalOutbox(PubSubBroker broker, PubSubPublisher publisher, ResiliencyPolicies resiliency, EmulatorClock clock, ILogger<TransactionalOutbox> logger)
{
    internal static readonly TimeSpan FirstLookAfter = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan LookFor = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FirstInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxInterval = TimeSpan.FromSeconds(3);

    private int _pending;
    private long _internalPublished;
    private long _relayed;
    private long _discarded;
    private long _failed;

    /// <summary>Internal messages whose subscriber has not finished with them (waiting, polling or being redelivered).</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Messages published to the internal topics (one per upsert of a transaction, before its commit).</summary>
    public long InternalPublished => Interlocked.Read(ref _internalPublished);

    /// <summary>Events published to the final topic after their marker was found.</summary>
    public long Relayed => Interlocked.Read(ref _relayed);

    /// <summary>Internal messages dropped because their marker never appeared (outboxDiscardWhenMissingState).</summary>
    public long Discarded => Interlocked.Read(ref _discarded);

    /// <summary>Deliveries of an internal message that failed because its marker never appeared (redelivered per policy).</summary>
    public long FailedDeliveries => Interlocked.Read(ref _failed);

    /// <summary>daprd's internal topic: <c>{NAMESPACE}{appId}{outboxPublishTopic}outbox</c> (NAMESPACE is empty self-hosted).</summary>
    public static string InternalTopic(string appId, OutboxSettings outbox)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        return $"{Environment.GetEnvironmentVariable("NAMESPACE")}{appId}{outbox.PublishTopic}outbox";
    }

    /// <summary>The marker written with the transaction; stored without the app-id prefix.</summary>
    public static StateOperation Marker(string markerKey) => new(StateOperationKind.Upsert, markerKey, "\"0\""u8.ToArray());

    /// <summary>
    /// Phase one, before the commit: publishes the internal message for <paramref name="cloudEvent"/> (whose id is the
    /// marker key) and starts its subscriber, which relays it once the marker is in <paramref name="store"/>.
    /// </summary>
    public void PublishInternal(string appId, StateStoreComponent store, OutboxSettings outbox, string markerKey, JsonObject cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(outbox);
        var internalPubsub = publisher.ResolveForPublish(appId, outbox.InternalPubsub, InternalTopic(appId, outbox));
        Interlocked.Increment(ref _internalPublished);
        Interlocked.Increment(ref _pending);
        // The internal message sits in the broker in daprd: it counts with the deliveries waiting on the clock.
        broker.CountWaitingForRetry(1);
        _ = SubscribeAsync(appId, store, outbox, internalPubsub, markerKey, GoJson.Serialize(cloudEvent));
    }

    private async Task SubscribeAsync(string appId, StateStoreComponent store, OutboxSettings outbox, PubSubComponent internalPubsub, string markerKey, byte[] cloudEvent)
    {
        using var work = clock.BeginWork();
        try
        {
            var pipeline = resiliency.ForComponentInbound(appId, internalPubsub.Definition);
            var result = await pipeline.ExecuteAsync(ct => DeliverAsync(store, outbox, markerKey, cloudEvent, ct), CancellationToken.None);
            if (result.Outcome != AttemptOutcome.Success)
            {
                LogInternalMessageDropped(appId, markerKey, result.Attempts);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogInternalMessageFailed(ex, appId, markerKey);
        }
        finally
        {
            broker.CountWaitingForRetry(-1);
            Interlocked.Decrement(ref _pending);
        }
    }

    // One delivery of the internal message to daprd's own outbox subscriber.
    private async Task<Attempt<bool>> DeliverAsync(StateStoreComponent store, OutboxSettings outbox, string markerKey, byte[] cloudEvent, CancellationToken cancellationToken)
    {
        await clock.DelayAsync(FirstLookAfter, cancellationToken);
        var lookingSince = clock.Time.GetUtcNow();
        var interval = FirstInterval;
        while (store.Store.Get(markerKey) is null)
        {
            // An exponential backoff bounded by its elapsed time: no look that would start after ~10 s.
            if (clock.Time.GetUtcNow() - lookingSince + interval > LookFor)
            {
                if (outbox.DiscardWhenMissingState)
                {
                    Interlocked.Increment(ref _discarded);
                    return Attempt<bool>.Succeeded(false);
                }

                Interlocked.Increment(ref _failed);
                return Attempt<bool>.Failed(false, error: new InvalidOperationException($"cannot publish outbox message with id {markerKey}: marker state not found"));
            }

            await clock.DelayAsync(interval, cancellationToken);
            interval = TimeSpan.FromTicks(Math.Min(MaxInterval.Ticks, (long)(interval.Ticks * 1.5)));
        }

        // The internal message already carries the final topic, pubsubname and the marker's id.
        broker.Publish(new BrokerMessage(outbox.PublishPubsub, outbox.PublishTopic, cloudEvent, new Dictionary<string, string>(), CloudEventEnvelope.CloudEventContentType));
        Interlocked.Increment(ref _relayed);
        store.Store.Transact([new StateOperation(StateOperationKind.Delete, markerKey)]);
        return Attempt<bool>.Succeeded(true);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "App {AppId}: outbox message {MarkerKey} dropped after {Attempts} deliveries; its marker state never appeared (the transaction failed)")]
    private partial void LogInternalMessageDropped(string appId, string markerKey, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "App {AppId}: outbox message {MarkerKey} failed")]
    private partial void LogInternalMessageFailed(Exception exception, string appId, string markerKey);
}
