namespace DaprOrders.Ordering.Tests.Infrastructure;

/// <summary>Polls a condition until it holds or a generous deadline passes (no fixed sleeps).</summary>
public static class Eventually
{
    public static async Task<T> ReturnsAsync<T>(Func<T?> probe, string what, TimeSpan? timeout = null)
        where T : class
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            try
            {
                await poll.WaitForNextTickAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }
        }
    }
}
