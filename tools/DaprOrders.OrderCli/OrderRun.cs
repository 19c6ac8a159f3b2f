using System.Collections.Concurrent;
using System.Net;

namespace DaprOrders.OrderCli;

public sealed record OrderRunOptions
{
    public SubmissionMode Mode { get; init; } = SubmissionMode.Structured;

    /// <summary>Requests in flight at once, for submitting and for polling.</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>Events per request in <see cref="SubmissionMode.Batch"/> mode (Ordering accepts up to 100).</summary>
    public int BatchSize { get; init; } = 10;

    /// <summary>How long to wait, after the last submission, for every order to become Completed or Cancelled.</summary>
    public TimeSpan TerminalTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);
}

/// <summary>Counters for a progress display: how many orders were sent and how many reached an outcome.</summary>
public sealed record OrderRunProgress(int Total, int Submitted, int Finished);

public enum OrderOutcome
{
    Completed,
    Cancelled,

    /// <summary>Accepted, but still not terminal when the run's timeout expired.</summary>
    TimedOut,

    /// <summary>Ordering did not accept the submission (4xx/5xx).</summary>
    Rejected,
}

/// <summary>What happened to one submitted event.</summary>
public sealed record OrderResult(
    OrderSubmissionEvent Event,
    string? OrderId,
    HttpStatusCode SubmitStatus,
    TimeSpan SubmitLatency,
    OrderOutcome Outcome,
    string? Reason,
    TimeSpan? TimeToTerminal);

/// <summary>
/// Submits orders with bounded concurrency, then polls <c>GET /orders/{id}</c> until each order is terminal or the
/// timeout expires. Time is measured on <see cref="TimeProvider"/> (the real clock in the CLI).
/// </summary>
public sealed class OrderRun(OrderIntakeClient client, TimeProvider time)
{
    public async Task<OrderRunReport> RunAsync(
        IReadOnlyList<OrderSubmissionEvent> orders,
        OrderRunOptions options,
        IProgress<OrderRunProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Concurrency, 1);
        var started = time.GetTimestamp();
        var submitted = new ConcurrentDictionary<OrderSubmissionEvent, (SubmitResult Result, TimeSpan Latency, long At)>();
        var finished = 0;

        void Report() => progress?.Report(new OrderRunProgress(orders.Count, submitted.Count, Volatile.Read(ref finished)));

        var requests = options.Mode == SubmissionMode.Batch
            ? orders.Chunk(Math.Clamp(options.BatchSize, 1, 100)).ToList()
            : orders.Select(o => new[] { o }).ToList();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(requests, parallel, async (events, ct) =>
        {
            var sentAt = time.GetTimestamp();
            var results = events.Length == 1 && options.Mode != SubmissionMode.Batch
                ? [await client.SubmitAsync(events[0], options.Mode, ct)]
                : await client.SubmitBatchAsync(events, ct);
            var latency = time.GetElapsedTime(sentAt);
            foreach (var result in results)
            {
                submitted[result.Event] = (result, latency, sentAt);
                if (!result.Accepted)
                {
                    Interlocked.Increment(ref finished);
                }
            }

            Report();
        });

        var outcomes = new ConcurrentDictionary<OrderSubmissionEvent, (OrderView View, TimeSpan After)>();
        var pending = submitted.Values.Where(s => s.Result.Accepted).ToList();
        var pollingStarted = time.GetTimestamp();
        while (pending.Count > 0 && time.GetElapsedTime(pollingStarted) < options.TerminalTimeout)
        {
            await Parallel.ForEachAsync(pending, parallel, async (entry, ct) =>
            {
                var view = await client.GetOrderAsync(entry.Result.OrderId!, ct);
                if (view is { IsTerminal: true } && outcomes.TryAdd(entry.Result.Event, (view, time.GetElapsedTime(entry.At))))
                {
                    Interlocked.Increment(ref finished);
                    Report();
                }
            });

            pending.RemoveAll(p => outcomes.ContainsKey(p.Result.Event));
            if (pending.Count > 0)
            {
                await Task.Delay(options.PollInterval, time, cancellationToken);
            }
        }

        var results = orders.Select(order =>
        {
            var (result, latency, _) = submitted[order];
            if (!result.Accepted)
            {
                return new OrderResult(order, result.OrderId, result.Status, latency, OrderOutcome.Rejected, null, null);
            }

            if (!outcomes.TryGetValue(order, out var outcome))
            {
                return new OrderResult(order, result.OrderId, result.Status, latency, OrderOutcome.TimedOut, null, null);
            }

            var kind = outcome.View.Status == OrderView.Completed ? OrderOutcome.Completed : OrderOutcome.Cancelled;
            return new OrderResult(order, result.OrderId, result.Status, latency, kind, outcome.View.Reason, outcome.After);
        }).ToList();

        return new OrderRunReport(results, time.GetElapsedTime(started));
    }
}
