using System.Text;
using System.Text.Json;
using DaprOrders.Audit.DeadLetters;
using DaprOrders.Audit.Timeline;

namespace DaprOrders.Audit.Tests;

public sealed class DeadLetterLifecycleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private static readonly JsonElement Payload = JsonDocument.Parse("""
        {"data":{"orderId":"o-1"},"datacontenttype":"application/json","expiration":"2026-11-23T09:00:30Z","id":"e-1",
         "pubsubname":"pubsub","source":"ordering","specversion":"1.0","time":"2026-11-23T08:59:59Z","topic":"order-created",
         "traceid":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
         "traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","tracestate":"",
         "type":"daprorders.order.created.v1","x-custom":"kept"}
        """).RootElement.Clone();

    private static DeadLetterRecord Arrived(DeadLetterRecord? existing = null, int second = 0) =>
        DeadLetterLifecycle.Arrive(existing, ObservedEvent.From(Payload)!, Payload, T0.AddSeconds(second));

    [Fact]
    public void First_arrival_is_pending_with_the_original_topic_and_payload()
    {
        var record = Arrived();
        Assert.Equal(DeadLetterStatus.Pending, record.Status);
        Assert.Equal(("e-1", "order-created", "pubsub", "o-1"), (record.Id, record.Topic, record.PubsubName, record.OrderId));
        Assert.Equal(1, record.Attempts);
        Assert.Equal(T0, record.FirstSeen);
        Assert.Equal(Payload.GetRawText(), record.Payload.GetRawText());
    }

    [Fact]
    public void Replayed_event_that_fails_again_comes_back_pending_with_one_more_attempt()
    {
        var (_, replayed) = DeadLetterLifecycle.Replay(Arrived(), T0.AddSeconds(5));
        var again = Arrived(replayed, second: 10);
        Assert.Equal(DeadLetterStatus.Pending, again.Status);
        Assert.Equal(2, again.Attempts);
        Assert.Equal(1, again.Replays);
        Assert.Equal(T0, again.FirstSeen);
        Assert.Equal(T0.AddSeconds(10), again.LastSeen);
    }

    [Fact]
    public void Replay_marks_replayed_and_counts_replays()
    {
        var (result, replayed) = DeadLetterLifecycle.Replay(Arrived(), T0.AddSeconds(5));
        Assert.Equal(DeadLetterActionResult.Applied, result);
        Assert.Equal(DeadLetterStatus.Replayed, replayed!.Status);
        Assert.Equal(1, replayed.Replays);
        Assert.Equal(T0.AddSeconds(5), replayed.LastReplayedAt);

        var (again, twice) = DeadLetterLifecycle.Replay(replayed, T0.AddSeconds(6));
        Assert.Equal(DeadLetterActionResult.Applied, again);
        Assert.Equal(2, twice!.Replays);
    }

    [Fact]
    public void Discarded_or_unknown_dead_letters_cannot_be_replayed()
    {
        var (_, discarded) = DeadLetterLifecycle.Discard(Arrived(), T0);
        Assert.Equal((DeadLetterActionResult.AlreadyDiscarded, null), DeadLetterLifecycle.Replay(discarded, T0));
        Assert.Equal((DeadLetterActionResult.NotFound, null), DeadLetterLifecycle.Replay(null, T0));
        Assert.Equal(DeadLetterActionResult.TopicUnknown, DeadLetterLifecycle.Replay(Arrived() with { Topic = null }, T0).Result);
    }

    [Fact]
    public void Discard_is_idempotent()
    {
        var (result, discarded) = DeadLetterLifecycle.Discard(Arrived(), T0.AddSeconds(1));
        Assert.Equal(DeadLetterActionResult.Applied, result);
        Assert.Equal(DeadLetterStatus.Discarded, discarded!.Status);
        Assert.Equal(T0.AddSeconds(1), discarded.DiscardedAt);
        Assert.Equal((DeadLetterActionResult.Applied, null), DeadLetterLifecycle.Discard(discarded, T0.AddSeconds(2)));
        Assert.Equal((DeadLetterActionResult.NotFound, null), DeadLetterLifecycle.Discard(null, T0));
    }

    [Fact]
    public void A_discarded_dead_letter_that_arrives_again_needs_attention_again()
    {
        var (_, discarded) = DeadLetterLifecycle.Discard(Arrived(), T0);
        var again = Arrived(discarded, second: 3);
        Assert.Equal(DeadLetterStatus.Pending, again.Status);
        Assert.Null(again.DiscardedAt);
    }

    [Fact]
    public void Undoing_a_failed_replay_restores_the_previous_state_unless_the_record_moved_on()
    {
        var before = Arrived();
        var (_, replayed) = DeadLetterLifecycle.Replay(before, T0.AddSeconds(5));

        var undone = DeadLetterLifecycle.UndoReplay(replayed!, before, replayed!);
        Assert.Equal(before, undone);

        var arrivedMeanwhile = Arrived(replayed, second: 6);
        Assert.Null(DeadLetterLifecycle.UndoReplay(arrivedMeanwhile, before, replayed!));
    }

    [Fact]
    public void Replay_payload_keeps_the_cloudevent_and_drops_what_daprd_sets_per_publish()
    {
        var replay = JsonDocument.Parse(Encoding.UTF8.GetString(DeadLetterLifecycle.ReplayPayload(Payload))).RootElement;
        var names = replay.EnumerateObject().Select(p => p.Name).ToHashSet();

        Assert.Equal(["data", "datacontenttype", "id", "source", "specversion", "time", "type", "x-custom"], names.Order());
        Assert.Equal("e-1", replay.GetProperty("id").GetString());
        Assert.Equal("o-1", replay.GetProperty("data").GetProperty("orderId").GetString());
    }

    [Fact]
    public void Dead_letter_index_appends_once_and_forgets_the_oldest_beyond_its_limit()
    {
        var index = DeadLetterIndex.Empty.With("a", 2)!.With("b", 2)!.With("c", 2)!;
        Assert.Equal(["b", "c"], index.Ids);
        Assert.Null(index.With("c", 2));
    }
}
