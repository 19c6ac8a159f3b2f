using System.Net;
using DaprOrders.Emulator.Actors;
using DaprOrders.Emulator.Tests.Infrastructure;

namespace DaprOrders.Emulator.Tests.Actors;

// dapr/dapr v1.17.13 pkg/actors/targets/app/app.go: idleAt = the moment a turn takes the lock + actorIdleTimeout, and
// Deactivate closes the lock (pkg/actors/targets/app/lock/lock.go Close): the turn in progress is cancelled and calls
// waiting for the lock go to a fresh activation (pkg/actors/router/router.go retries a closed target).
public sealed class ActorIdleDeactivationTests
{
    private const string Config = """{"entities":["Cart"],"actorIdleTimeout":"10s"}""";
    private static readonly ActorAddress Cart = new("host", "Cart", "c-1");

    [Fact]
    public async Task Idle_time_counts_from_when_the_turn_took_the_lock_not_from_when_it_ended()
    {
        await using var bed = await ActorTestBed.StartAsync(Config);
        var release = new TaskCompletionSource();
        bed.App.Handler = async r =>
        {
            if (r.Path.EndsWith("/method/slow", StringComparison.Ordinal))
            {
                await release.Task;
            }

            return new TestResponse(200, "\"ok\"");
        };

        var slow = bed.PostAsync("client", "/v1.0/actors/Cart/c-1/method/slow", "{}");
        await bed.App.WaitForAsync("PUT", "/actors/Cart/c-1/method/slow");
        await bed.AdvanceAsync(TimeSpan.FromSeconds(6));
        release.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await slow).StatusCode);

        // The turn ended at 6 s; the actor is idle at 10 s, 10 s after the turn took the lock.
        await bed.AdvanceAsync(TimeSpan.FromSeconds(3));
        Assert.Empty(bed.App.RequestsTo("DELETE", "/actors/Cart/c-1"));
        await bed.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Single(bed.App.RequestsTo("DELETE", "/actors/Cart/c-1"));
        Assert.False(bed.Runtime.IsActive("host", "Cart", "c-1"));
    }

    [Fact]
    public async Task Deactivation_cancels_the_turn_in_progress_and_moves_queued_calls_to_a_fresh_activation()
    {
        await using var bed = await ActorTestBed.StartAsync(Config);
        var neverAnswered = new TaskCompletionSource();
        bed.App.Handler = async r =>
        {
            if (r.Path.EndsWith("/method/stuck", StringComparison.Ordinal))
            {
                await neverAnswered.Task;
            }

            return new TestResponse(200, "\"ok\"");
        };

        try
        {
            var stuck = bed.PostAsync("client", "/v1.0/actors/Cart/c-1/method/stuck", "{}");
            await bed.App.WaitForAsync("PUT", "/actors/Cart/c-1/method/stuck");
            await bed.AdvanceAsync(TimeSpan.FromSeconds(5));
            var queued = bed.PostAsync("client", "/v1.0/actors/Cart/c-1/method/next", "{}");
            await ActorTestBed.EventuallyAsync(() => bed.Runtime.PendingTurns(Cart) == 2, "the second call to queue for the lock");

            // 10 s after the stuck turn took the lock: a pending call does not keep the actor alive.
            await bed.AdvanceAsync(TimeSpan.FromSeconds(5));

            var cancelled = await stuck;
            Assert.Equal(HttpStatusCode.InternalServerError, cancelled.StatusCode);
            Assert.Contains("context canceled", await cancelled.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await queued).StatusCode);
            // The queued call ran on the new activation; as in daprd, it may reach the app before the old one's DELETE.
            Assert.Single(bed.App.RequestsTo("DELETE", "/actors/Cart/c-1"));
            Assert.Single(bed.App.RequestsTo("PUT", "/actors/Cart/c-1/method/next"));
            Assert.True(bed.Runtime.IsActive("host", "Cart", "c-1"));
        }
        finally
        {
            neverAnswered.TrySetResult();
        }
    }
}
