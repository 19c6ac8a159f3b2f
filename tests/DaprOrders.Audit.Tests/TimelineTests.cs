using System.Text.Json;
using DaprOrders.Audit.Timeline;

namespace DaprOrders.Audit.Tests;

public sealed class TimelineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private static ObservedEvent Observed(string id, string orderId = "o-1", string? traceParent = null) =>
        new(id, "daprorders.order.created.v1", "ordering", "order-created", "pubsub", T0, traceParent,
            JsonDocument.Parse($$"""{"orderId":"{{orderId}}"}""").RootElement.Clone());

    private static AuditEntry Entry(string id, int second) => AuditEntry.Delivered(Observed(id), T0.AddSeconds(second));

    [Fact]
    public void Appending_new_events_keeps_them_ordered_by_receipt()
    {
        var (timeline, overflow) = OrderTimeline.Empty("o-1").Append([Entry("b", 2), Entry("a", 1)], maxEntries: 100);
        Assert.Equal(0, overflow);
        Assert.Equal(["a", "b"], timeline!.Events.Select(e => e.Id));
    }

    [Fact]
    public void Redelivered_event_is_deduplicated_on_cloudevent_id_and_needs_no_write()
    {
        var (timeline, _) = OrderTimeline.Empty("o-1").Append([Entry("a", 1)], 100);
        var (again, _) = timeline!.Append([Entry("a", 5)], 100);
        Assert.Null(again);
    }

    [Fact]
    public void Duplicates_inside_one_batch_are_stored_once()
    {
        var (timeline, _) = OrderTimeline.Empty("o-1").Append([Entry("a", 1), Entry("a", 1), Entry("b", 2)], 100);
        Assert.Equal(["a", "b"], timeline!.Events.Select(e => e.Id));
    }

    [Fact]
    public void A_full_timeline_reports_what_it_could_not_store()
    {
        var (timeline, overflow) = OrderTimeline.Empty("o-1").Append([Entry("a", 1), Entry("b", 2), Entry("c", 3)], maxEntries: 2);
        Assert.Equal(["a", "b"], timeline!.Events.Select(e => e.Id));
        Assert.Equal(1, overflow);
    }

    [Fact]
    public void Dead_letter_entries_do_not_collide_with_the_event_they_copy()
    {
        var observed = Observed("e-1");
        var delivered = AuditEntry.Delivered(observed, T0);
        var firstDeadLetter = AuditEntry.DeadLettered(observed, 1, T0.AddSeconds(1));
        var secondDeadLetter = AuditEntry.DeadLettered(observed, 2, T0.AddSeconds(2));

        var (timeline, _) = OrderTimeline.Empty("o-1").Append([delivered, firstDeadLetter, secondDeadLetter], 100);

        Assert.Equal(["e-1", "deadletter:e-1:1", "deadletter:e-1:2"], timeline!.Events.Select(e => e.Id));
        Assert.Equal([AuditEntryKinds.Event, AuditEntryKinds.DeadLettered, AuditEntryKinds.DeadLettered], timeline.Events.Select(e => e.Kind));
        Assert.All(timeline.Events, e => Assert.Equal("e-1", e.EventId));
    }

    [Fact]
    public void Recent_events_are_newest_first_bounded_and_deduplicated()
    {
        var recent = RecentEvents.Empty.Add([Entry("a", 1), Entry("b", 2)], limit: 2)!.Add([Entry("c", 3)], limit: 2)!;
        Assert.Equal(["c", "b"], recent.Events.Select(e => e.Id));
        Assert.Null(recent.Add([Entry("c", 3)], limit: 2));
    }

    [Fact]
    public void Order_id_comes_from_the_event_data_also_when_it_was_published_as_text()
    {
        Assert.Equal("o-1", Observed("a").OrderId);
        var asText = Observed("a") with { Data = JsonDocument.Parse("\"{\\\"orderId\\\":\\\"o-9\\\"}\"").RootElement.Clone() };
        Assert.Equal("o-9", asText.OrderId);
        Assert.Null((Observed("a") with { Data = null }).OrderId);
        Assert.Null((Observed("a") with { Data = JsonDocument.Parse("\"not json\"").RootElement.Clone() }).OrderId);
    }

    [Fact]
    public void Outbox_events_with_an_empty_traceparent_use_traceid()
    {
        var cloudEvent = JsonDocument.Parse("""
            {"id":"outbox-1","type":"t","source":"ordering","topic":"order-created","traceparent":"",
             "traceid":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","data":{"orderId":"o-1"}}
            """).RootElement;
        var observed = ObservedEvent.From(cloudEvent)!;
        Assert.Equal("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", observed.TraceParent);
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", AuditEntry.Delivered(observed, T0).TraceId);
    }

    [Fact]
    public void A_json_object_without_an_id_is_not_an_observable_event()
    {
        Assert.Null(ObservedEvent.From(JsonDocument.Parse("""{"type":"t"}""").RootElement));
        Assert.Null(ObservedEvent.From(JsonDocument.Parse("[1]").RootElement));
    }

    [Theory]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "4bf92f3577b34da6a3ce929d0e0e4736")]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData("garbage", null)]
    public void Trace_id_is_read_from_a_w3c_traceparent(string? traceParent, string? expected) =>
        Assert.Equal(expected, ObservedEvent.TraceIdOf(traceParent));
}
