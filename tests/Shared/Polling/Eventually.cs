using System.Diagnostics;
using Xunit.Sdk;

namespace DaprOrders.Testing;

/// <summary>
/// Polls until a condition holds, on the real clock, with a deadline (shared by the test projects, linked). The system is asynchronous (pub/sub, actors), so
/// tests wait for observable state instead of sleeping; a failure says what was awaited and what was last seen.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);

    /// <summary>Polls <paramref name="probe"/> until <paramref name="condition"/> holds for its result and returns that result.</summary>
    public static async Task<T> UntilAsync<T>(
        Func<Task<T>> probe,
        Func<T, bool> condition,
        string awaited,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(condition);
        var limit = timeout ?? DefaultTimeout;
        var watch = Stopwatch.StartNew();
        using var ticks = new PeriodicTimer(PollInterval);
        var lastObserved = "(nothing observed yet)";
        while (true)
        {
            try
            {
                var value = await probe();
                if (condition(value))
                {
                    return value;
                }

                lastObserved = Describe(value);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException or System.Text.Json.JsonException)
            {
                // A service may not answer yet (starting, or the probe raced a write): keep polling, report it if it lasts.
                lastObserved = $"{ex.GetType().Name}: {ex.Message}";
            }

            if (watch.Elapsed > limit)
            {
                throw new XunitException($"Timed out after {limit.TotalSeconds:0.#} s waiting for {awaited}.{Environment.NewLine}Last observed: {lastObserved}");
            }

            await ticks.WaitForNextTickAsync();
        }
    }

    /// <summary>Polls until <paramref name="condition"/> is true; <paramref name="state"/> describes the state for the failure message.</summary>
    public static Task UntilAsync(Func<Task<bool>> condition, string awaited, Func<Task<string>>? state = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return UntilAsync(
            async () => (Ok: await condition(), State: state is null ? string.Empty : await state()),
            r => r.Ok,
            awaited,
            timeout);
    }

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        string s => s,
        System.Text.Json.Nodes.JsonNode node => node.ToJsonString(),
        System.Collections.IEnumerable items and not string => "[" + string.Join(", ", items.Cast<object?>().Select(i => i?.ToString() ?? "null")) + "]",
        _ => value.ToString() ?? typeof(T).Name,
    };
}
