using System.Collections.Concurrent;

namespace DaprOrders.Ordering.Orders;

/// <summary>
/// Submissions of one order running on this instance, so that concurrent repeats share one read and one state
/// transaction instead of racing each other into a transaction bound to fail (see <see cref="OrderStore.SubmitAsync"/>).
/// Correctness never depends on this class: first-write concurrency in the store still decides, across instances.
/// </summary>
public sealed class SubmissionTracker
{
    private readonly ConcurrentDictionary<string, Task<SubmissionResult>> _inFlight = new(StringComparer.Ordinal);

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
}
