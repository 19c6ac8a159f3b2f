using System.Collections.Concurrent;

namespace DaprOrders.Ordering.Orders;

/// <summary>
/// What this instance knows about recent submissions, so that repeats do not each attempt a state transaction that
/// is bound to fail. A failed transaction is not free under daprd: the outbox publishes its internal message before
/// committing, and daprd's outbox subscriber then polls ~10 s for a marker that never comes (blocking the internal
/// topic on serial brokers such as pubsub.in-memory). Correctness never depends on this class: first-write
/// concurrency in the store still decides, across instances and restarts.
/// </summary>
public sealed class SubmissionTracker
{
    private const int RecentCapacity = 10_000;

    private readonly ConcurrentDictionary<string, Task<SubmissionResult>> _inFlight = new(StringComparer.Ordinal);
    private readonly Lock _recentGate = new();
    private readonly HashSet<string> _recent = new(StringComparer.Ordinal);
    private readonly Queue<string> _recentOrder = new();

    /// <summary>True when this instance stored or saw the order recently (it exists in the store).</summary>
    public bool IsKnown(string orderId)
    {
        lock (_recentGate)
        {
            return _recent.Contains(orderId);
        }
    }

    /// <summary>
    /// Runs <paramref name="submit"/> once per order id at a time: concurrent submissions of the same order on this
    /// instance share the first one's outcome (and its single transaction).
    /// </summary>
    public async Task<(SubmissionResult Result, bool Shared)> RunOnceAsync(string orderId, Func<Task<SubmissionResult>> submit)
    {
        ArgumentNullException.ThrowIfNull(submit);
        var completion = new TaskCompletionSource<SubmissionResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = _inFlight.GetOrAdd(orderId, completion.Task);
        if (running != completion.Task)
        {
            return (await running, true);
        }

        try
        {
            var result = await submit();
            Remember(orderId);
            completion.SetResult(result);
            return (result, false);
        }
        catch (Exception ex)
        {
            completion.SetException(ex);
            _ = completion.Task.Exception; // observed here: followers, if any, rethrow it themselves
            throw;
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<string, Task<SubmissionResult>>(orderId, completion.Task));
        }
    }

    public void Remember(string orderId)
    {
        lock (_recentGate)
        {
            if (!_recent.Add(orderId))
            {
                return;
            }

            _recentOrder.Enqueue(orderId);
            if (_recentOrder.Count > RecentCapacity)
            {
                _recent.Remove(_recentOrder.Dequeue());
            }
        }
    }
}
