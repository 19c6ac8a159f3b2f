using System.Text.Json;
using DaprOrders.Audit.Tests.Infrastructure;
using DaprOrders.Audit.Timeline;
using DaprOrders.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.Audit.Tests;

// Group commit: appends queued while a batch is written share the next bulk read and bulk save.
public sealed class TimelineWriterTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset Received = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private FakeSidecar _sidecar = null!;

    public async Task InitializeAsync() => _sidecar = await FakeSidecar.StartAsync();

    public async Task DisposeAsync() => await _sidecar.DisposeAsync();

    private static AuditEntry Entry(string id, string orderId, int second = 0) =>
        new(id, AuditEntryKinds.Event, id, orderId, EventTypes.OrderCreated, "ordering", Topics.Orders, Received,
            Received.AddSeconds(second), TraceParent: null, TraceId: null, Data: null);

    private static bool IsTimelineRead(RecordedRequest request) =>
        request is { Method: "POST", Path: "/v1.0/state/statestore/bulk" } && request.Body.Contains("audit-timeline-", StringComparison.Ordinal);

    private static bool IsTimelineSave(RecordedRequest request) =>
        request is { Method: "POST", Path: "/v1.0/state/statestore" } && request.Body.Contains("audit-timeline-", StringComparison.Ordinal);

    private static string[] SavedKeys(RecordedRequest save) =>
        [.. save.Json().EnumerateArray().Select(i => i.GetProperty("key").GetString()!)];

    private static string[] ReadKeys(RecordedRequest read) =>
        [.. read.Json().GetProperty("keys").EnumerateArray().Select(k => k.GetString()!)];

    private static string[] TimelineIds(JsonElement? timeline) =>
        [.. timeline!.Value.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString()!)];

    /// <summary>Holds the first timeline read until released, so the test can queue appends behind it.</summary>
    private sealed class FirstReadGate : IDisposable
    {
        private int _reads;

        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public ScriptedResponse? Hold(RecordedRequest request)
        {
            if (IsTimelineRead(request) && Interlocked.Increment(ref _reads) == 1)
            {
                Entered.Set();
                Release.Wait(Deadline);
            }

            return null;
        }

        public void Dispose()
        {
            Release.Set();
            Entered.Dispose();
            Release.Dispose();
        }
    }

    [Fact]
    public async Task Appends_queued_behind_a_batch_share_one_bulk_read_and_one_bulk_save()
    {
        await using var app = new AuditApp(_sidecar);
        using var client = app.CreateClient();
        var writer = app.Services.GetRequiredService<TimelineWriter>();
        using var gate = new FirstReadGate();
        _sidecar.Intercept = gate.Hold;

        var first = writer.AppendAsync("o-1", [Entry("e-1", "o-1")]);
        Assert.True(gate.Entered.Wait(Deadline), "the first batch never read its timeline");
        var queued = new[] { ("e-2", "o-2"), ("e-3", "o-3"), ("e-4", "o-2"), ("e-5", "o-4") }
            .Select((x, i) => writer.AppendAsync(x.Item2, [Entry(x.Item1, x.Item2, i + 1)]))
            .ToList();
        gate.Release.Set();
        await first;
        var stored = await Task.WhenAll(queued);

        var reads = _sidecar.Requests.Where(IsTimelineRead).ToList();
        var saves = _sidecar.Requests.Where(IsTimelineSave).ToList();
        Assert.Equal(2, reads.Count);
        Assert.Equal(2, saves.Count);
        Assert.Equal(["audit-timeline-o-2", "audit-timeline-o-3", "audit-timeline-o-4"], ReadKeys(reads[1]));
        Assert.Equal(["audit-timeline-o-2", "audit-timeline-o-3", "audit-timeline-o-4"], SavedKeys(saves[1]));
        Assert.Equal(["e-2", "e-4"], TimelineIds(_sidecar.GetState("audit-timeline-o-2")));
        Assert.Equal(["e-5"], TimelineIds(_sidecar.GetState("audit-timeline-o-4")));
        Assert.All(stored, entries => Assert.NotNull(entries));
    }

    [Fact]
    public async Task A_conflict_in_a_bulk_save_rereads_the_batch_and_writes_only_what_did_not_land()
    {
        await using var app = new AuditApp(_sidecar);
        using var client = app.CreateClient();
        var writer = app.Services.GetRequiredService<TimelineWriter>();
        _sidecar.SetState("audit-timeline-o-2", """{"orderId":"o-2","events":[]}""");
        using var gate = new FirstReadGate();
        var saves = 0;
        _sidecar.Intercept = request =>
        {
            if (IsTimelineSave(request) && Interlocked.Increment(ref saves) == 2)
            {
                // Another replica appends to o-2 between this batch's read and its save.
                _sidecar.SetState("audit-timeline-o-2", JsonSerializer.Serialize(
                    new OrderTimeline("o-2", [Entry("x-1", "o-2")]), AuditJsonContext.Default.OrderTimeline));
            }

            return gate.Hold(request);
        };

        var first = writer.AppendAsync("o-0", [Entry("e-0", "o-0")]);
        Assert.True(gate.Entered.Wait(Deadline), "the first batch never read its timeline");
        var o1 = writer.AppendAsync("o-1", [Entry("e-1", "o-1", 1)]);
        var o2 = writer.AppendAsync("o-2", [Entry("e-2", "o-2", 2)]);
        gate.Release.Set();
        await first;
        Assert.NotNull(await o1);
        Assert.NotNull(await o2);

        var timelineSaves = _sidecar.Requests.Where(IsTimelineSave).ToList();
        Assert.Equal(3, timelineSaves.Count);
        Assert.Equal(["audit-timeline-o-1", "audit-timeline-o-2"], SavedKeys(timelineSaves[1]));
        // daprd's bulk save is not atomic: o-1 landed in the failed request, so the retry writes o-2 alone.
        Assert.Equal(["audit-timeline-o-2"], SavedKeys(timelineSaves[2]));
        Assert.Equal(["e-1"], TimelineIds(_sidecar.GetState("audit-timeline-o-1")));
        Assert.Equal(["x-1", "e-2"], TimelineIds(_sidecar.GetState("audit-timeline-o-2")));
    }

    [Fact]
    public async Task A_failing_store_fails_every_append_of_the_batch_and_the_delivery_is_not_acknowledged()
    {
        await using var app = new AuditApp(_sidecar);
        using var client = app.CreateClient();
        _sidecar.Intercept = request => IsTimelineRead(request)
            ? ScriptedResponse.DaprError(500, "ERR_STATE_BULK_GET", "connection refused")
            : null;

        using var content = new StringContent(AuditApp.CloudEvent("e-1", Topics.Orders, EventTypes.OrderCreated, "o-1"),
            System.Text.Encoding.UTF8, "application/cloudevents+json");
        using var response = await client.PostAsync("/events/orders", content);

        // Not SUCCESS: daprd treats a 5xx as a failed delivery and retries it.
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Null(_sidecar.GetState("audit-timeline-o-1"));
    }
}
