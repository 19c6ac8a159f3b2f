using Dapr;
using Dapr.Client;
using DaprOrders.Audit.Timeline;
using DaprOrders.BuildingBlocks.Messaging;
using DaprOrders.Contracts;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NSubstitute;

namespace DaprOrders.Audit.Tests;

/// <summary>
/// Group commit: appends queued while a batch is written share the next bulk read and bulk save; conflicts re-read the
/// batch. The emulator cannot hold a read or refuse a chosen save, so DaprClient is substituted by a small store that
/// answers as daprd does: a bulk save is not atomic, and a refused item is reported as gRPC ABORTED
/// (dapr/dapr v1.17.13 pkg/api/grpc/grpc.go SaveState).
/// </summary>
public sealed class TimelineWriterTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset Received = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private readonly Dictionary<string, (OrderTimeline Value, int Version)> _stored = new(StringComparer.Ordinal);
    private readonly List<string[]> _reads = [];
    private readonly List<string[]> _saves = [];
    private readonly Lock _lock = new();
    private readonly DaprClient _dapr = Substitute.For<DaprClient>();
    private TimelineWriter _writer = null!;

    /// <summary>Runs before a bulk read is answered (e.g. holds it); the argument counts reads from 1.</summary>
    public Func<int, Task> BeforeRead { get; set; } = _ => Task.CompletedTask;

    /// <summary>Runs before a bulk save is applied; throwing an exception fails the save (after nothing landed).</summary>
    public Action<int, IReadOnlyList<SaveStateItem<OrderTimeline>>> BeforeSave { get; set; } = (_, _) => { };

    public async Task InitializeAsync()
    {
        _dapr.GetBulkStateAsync<OrderTimeline>(Arg.Any<string>(), Arg.Any<IReadOnlyList<string>>(), Arg.Any<int?>(),
                Arg.Any<IReadOnlyDictionary<string, string>>(), Arg.Any<CancellationToken>())
            .Returns(call => ReadAsync(call.ArgAt<IReadOnlyList<string>>(1)));
        _dapr.SaveBulkStateAsync(Arg.Any<string>(), Arg.Any<IReadOnlyList<SaveStateItem<OrderTimeline>>>(), Arg.Any<CancellationToken>())
            .Returns(call => Save(call.ArgAt<IReadOnlyList<SaveStateItem<OrderTimeline>>>(1)));
        await StartWriterAsync(new AuditOptions());
    }

    public async Task DisposeAsync() => await _writer.StopAsync(CancellationToken.None);

    private async Task StartWriterAsync(AuditOptions settings)
    {
        if (_writer is not null)
        {
            await _writer.StopAsync(CancellationToken.None);
        }

        var options = Options.Create(settings);
        _writer = new TimelineWriter(new AuditStore(_dapr, options), options, NullLogger<TimelineWriter>.Instance);
        await _writer.StartAsync(CancellationToken.None);
    }

    private static AuditEntry Entry(string id, string orderId, int second = 0) =>
        new(id, AuditEntryKinds.Event, id, orderId, EventTypes.OrderCreated, "ordering", Topics.OrderCreated, Received,
            Received.AddSeconds(second), TraceParent: null, TraceId: null, Data: null);

    private async Task<IReadOnlyList<BulkStateItem<OrderTimeline>>> ReadAsync(IReadOnlyList<string> keys)
    {
        int count;
        lock (_lock)
        {
            _reads.Add([.. keys]);
            count = _reads.Count;
        }

        await BeforeRead(count);
        lock (_lock)
        {
            return [.. keys.Select(k => _stored.TryGetValue(k, out var s)
                ? new BulkStateItem<OrderTimeline>(k, s.Value, s.Version.ToString(System.Globalization.CultureInfo.InvariantCulture))
                : new BulkStateItem<OrderTimeline>(k, null!, string.Empty))];
        }
    }

    private Task Save(IReadOnlyList<SaveStateItem<OrderTimeline>> items)
    {
        int count;
        lock (_lock)
        {
            _saves.Add([.. items.Select(i => i.Key)]);
            count = _saves.Count;
        }

        BeforeSave(count, items);
        lock (_lock)
        {
            var refused = false;
            foreach (var item in items)
            {
                var current = _stored.TryGetValue(item.Key, out var s) ? s.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty;
                if (current != item.ETag)
                {
                    refused = true; // like daprd's BulkSet: every item is tried, the error reports the refused ones
                    continue;
                }

                _stored[item.Key] = (item.Value, (s.Version) + 1);
            }

            return refused ? Task.FromException(Conflict()) : Task.CompletedTask;
        }
    }

    private static DaprException Conflict() =>
        new("State operation failed", new RpcException(new Status(StatusCode.Aborted, "failed saving state in state store statestore: possible etag mismatch")));

    private string[] Stored(string orderId)
    {
        lock (_lock)
        {
            return [.. _stored[AuditStore.TimelineKey(orderId)].Value.Events.Select(e => e.Id)];
        }
    }

    private void Store(OrderTimeline timeline)
    {
        lock (_lock)
        {
            var key = AuditStore.TimelineKey(timeline.OrderId);
            _stored[key] = (timeline, (_stored.TryGetValue(key, out var s) ? s.Version : 0) + 1);
        }
    }

    /// <summary>Holds the first bulk read until released, so the test can queue appends behind it.</summary>
    private (TaskCompletionSource Entered, TaskCompletionSource Release) HoldFirstRead()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        BeforeRead = async read =>
        {
            if (read == 1)
            {
                entered.SetResult();
                await release.Task.WaitAsync(Deadline);
            }
        };
        return (entered, release);
    }

    [Fact]
    public async Task Appends_queued_behind_a_batch_share_one_bulk_read_and_one_bulk_save()
    {
        var (entered, release) = HoldFirstRead();

        var first = _writer.AppendAsync("o-1", [Entry("e-1", "o-1")]);
        await entered.Task.WaitAsync(Deadline);
        var queued = new[] { ("e-2", "o-2"), ("e-3", "o-3"), ("e-4", "o-2"), ("e-5", "o-4") }
            .Select((x, i) => _writer.AppendAsync(x.Item2, [Entry(x.Item1, x.Item2, i + 1)]))
            .ToList();
        release.SetResult();
        await first;
        var stored = await Task.WhenAll(queued);

        Assert.Equal(2, _reads.Count);
        Assert.Equal(2, _saves.Count);
        Assert.Equal(["audit-timeline-o-2", "audit-timeline-o-3", "audit-timeline-o-4"], _reads[1]);
        Assert.Equal(["audit-timeline-o-2", "audit-timeline-o-3", "audit-timeline-o-4"], _saves[1]);
        Assert.Equal(["e-2", "e-4"], Stored("o-2"));
        Assert.Equal(["e-5"], Stored("o-4"));
        Assert.All(stored, entries => Assert.NotNull(entries));
    }

    [Fact]
    public async Task A_conflict_in_a_bulk_save_rereads_the_batch_and_writes_only_what_did_not_land()
    {
        Store(OrderTimeline.Empty("o-2"));
        var (entered, release) = HoldFirstRead();
        BeforeSave = (save, _) =>
        {
            if (save == 2)
            {
                // Another replica appends to o-2 between this batch's read and its save.
                Store(new OrderTimeline("o-2", [Entry("x-1", "o-2")]));
            }
        };

        var first = _writer.AppendAsync("o-0", [Entry("e-0", "o-0")]);
        await entered.Task.WaitAsync(Deadline);
        var o1 = _writer.AppendAsync("o-1", [Entry("e-1", "o-1", 1)]);
        var o2 = _writer.AppendAsync("o-2", [Entry("e-2", "o-2", 2)]);
        release.SetResult();
        await first;
        Assert.NotNull(await o1);
        Assert.NotNull(await o2);

        Assert.Equal(3, _saves.Count);
        Assert.Equal(["audit-timeline-o-1", "audit-timeline-o-2"], _saves[1]);
        // daprd's bulk save is not atomic: o-1 landed in the failed request, so the retry writes o-2 alone.
        Assert.Equal(["audit-timeline-o-2"], _saves[2]);
        Assert.Equal(["e-1"], Stored("o-1"));
        Assert.Equal(["x-1", "e-2"], Stored("o-2"));
    }

    [Fact]
    public async Task An_etag_conflict_is_retried_and_the_entry_still_lands()
    {
        var conflicts = 2;
        BeforeSave = (_, _) =>
        {
            if (conflicts-- > 0)
            {
                // Another replica wrote the timeline each time between the read and the save.
                Store(new OrderTimeline("o-1", []));
            }
        };

        var stored = await _writer.AppendAsync("o-1", [Entry("e-1", "o-1")]).WaitAsync(Deadline);

        Assert.NotNull(stored);
        Assert.Equal(3, _saves.Count);
        Assert.Equal(["e-1"], Stored("o-1"));
    }

    [Fact]
    public async Task Endless_etag_conflicts_end_in_retry_after_a_bounded_number_of_attempts()
    {
        await StartWriterAsync(new AuditOptions { MaxConcurrencyAttempts = 3 });
        BeforeSave = (_, _) => Store(new OrderTimeline("o-1", []));

        var stored = await _writer.AppendAsync("o-1", [Entry("e-1", "o-1")]).WaitAsync(Deadline);

        // Null makes the delivery answer RETRY (AuditRecorder).
        Assert.Null(stored);
        Assert.Equal(3, _saves.Count);
    }

    [Fact]
    public async Task A_failing_store_fails_every_append_of_the_batch_so_the_delivery_is_not_acknowledged()
    {
        BeforeRead = _ => Task.FromException(new DaprException("State operation failed",
            new RpcException(new Status(StatusCode.Unavailable, "connection refused"))));

        var error = await Assert.ThrowsAsync<DaprException>(() => _writer.AppendAsync("o-1", [Entry("e-1", "o-1")]).WaitAsync(Deadline));

        Assert.IsType<RpcException>(error.InnerException);
        Assert.Empty(_saves);
    }

    [Fact]
    public async Task A_failing_store_makes_the_recorder_answer_retry_for_the_entries_it_could_not_store_only()
    {
        // A bulk delivery needs a status per entry: a failure must not fail the whole request (daprd would retry every
        // entry), only the entries whose timeline was not written.
        BeforeRead = _ => Task.FromException(new DaprException("State operation failed",
            new RpcException(new Status(StatusCode.Unavailable, "connection refused"))));
        var options = Options.Create(new AuditOptions());
        var recorder = new AuditRecorder(_writer, new RecentEventsWriter(_dapr, options, NullLogger<RecentEventsWriter>.Instance),
            TimeProvider.System, NullLogger<AuditRecorder>.Instance);

        var statuses = await recorder.RecordAsync([Entry("e-1", "o-1"), Entry("e-2", null!), Entry("e-3", "o-1")]).WaitAsync(Deadline);

        Assert.Equal([TopicStatus.Retry, TopicStatus.Success, TopicStatus.Retry], statuses);
        Assert.Empty(_saves);
    }
}
