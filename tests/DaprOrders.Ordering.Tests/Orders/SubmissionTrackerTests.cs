using DaprOrders.Contracts;
using DaprOrders.Ordering.Orders;

namespace DaprOrders.Ordering.Tests.Orders;

public sealed class SubmissionTrackerTests
{
    private static readonly SubmissionResult Created = new(SubmissionOutcome.Created,
        new OrderDocument("o-1", "c-1", "EUR", [], new Money(0, "EUR"), OrderStatus.Submitted, null, [], default, default,
            new OrderSubmissionKey("/s", "e", "sha256:00")));

    [Fact]
    public async Task Concurrent_submissions_of_one_order_share_the_first_ones_outcome()
    {
        var tracker = new SubmissionTracker();
        var release = new TaskCompletionSource<SubmissionResult>();
        var calls = 0;

        var leader = tracker.RunOnceAsync("o-1", () => { Interlocked.Increment(ref calls); return release.Task; });
        var follower = tracker.RunOnceAsync("o-1", () => { Interlocked.Increment(ref calls); return Task.FromResult(Created); });
        release.SetResult(Created);

        Assert.Equal((Created, false), await leader);
        Assert.Equal((Created, true), await follower);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task A_failed_submission_is_shared_and_the_next_one_runs_again()
    {
        var tracker = new SubmissionTracker();
        var release = new TaskCompletionSource<SubmissionResult>();

        var leader = tracker.RunOnceAsync("o-1", () => release.Task);
        var follower = tracker.RunOnceAsync("o-1", () => Task.FromResult(Created));
        release.SetException(new InvalidOperationException("sidecar down"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => leader);
        await Assert.ThrowsAsync<InvalidOperationException>(() => follower);
        Assert.Equal((Created, false), await tracker.RunOnceAsync("o-1", () => Task.FromResult(Created)));
    }
}
