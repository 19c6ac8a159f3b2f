namespace DaprOrders.Emulator.Tests.Infrastructure;

/// <summary>Polling with a deadline: how tests wait for asynchronous effects (never a fixed sleep).</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + (timeout ?? EmulatorTestBed.Deadline);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(2));
        }
    }
}
