using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace DaprOrders.Bench.Load;

/// <summary>One request of a load run: built fresh each time so every order carries a unique CloudEvent id.</summary>
internal delegate HttpRequestMessage RequestFactory(long sequence);

/// <summary>
/// Closed-loop HTTP load: <c>connections</c> workers, each with at most one request in flight, for a fixed duration
/// after a warm-up whose requests are not counted. Each worker owns a histogram (no shared state on the hot path).
/// </summary>
internal static class HttpLoad
{
    public static HttpClient CreateClient(int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>
    /// A few requests one at a time before the warm-up, so that the first calls (JIT, connection set-up, actor
    /// activation, subscriptions) finish before the clock starts: a cold chain can take longer than a smoke run lasts.
    /// </summary>
    public static async Task PrimeAsync(HttpClient client, RequestFactory request, int count = 5)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        for (var i = 0; i < count; i++)
        {
            using var message = request(-1 - i);
            using var response = await client.SendAsync(message);
        }
    }

    /// <param name="minMeasured">
    /// Keep the window open past <paramref name="duration"/> until at least this many requests were measured. A smoke
    /// run sets it: on a stalled machine every request of a short window can start in the warm-up or end after the
    /// window closes, and a smoke run must still measure something. A real run leaves it 0 and reports what it got.
    /// </param>
    public static async Task<LoadResult> RunClosedLoopAsync(HttpClient client, RequestFactory request, int connections,
        TimeSpan warmup, TimeSpan duration, Func<HttpResponseMessage, bool> isSuccess, long maxRequests = long.MaxValue,
        long minMeasured = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(isSuccess);
        long sequence = 0;
        var failures = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var stopAt = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var histograms = new LatencyHistogram[connections];
        var succeeded = new long[connections];
        long lastDone = measureFrom;
        long measured = 0;
        long lastLateMeasured = stopAt;

        async Task Worker(int worker)
        {
            var histogram = histograms[worker] = new LatencyHistogram();
            while (!cancellationToken.IsCancellationRequested)
            {
                var sent = Stopwatch.GetTimestamp();
                if (sent >= stopAt && Interlocked.Read(ref measured) >= minMeasured)
                {
                    return;
                }

                var next = Interlocked.Increment(ref sequence);
                if (next > maxRequests)
                {
                    return;
                }

                using var message = request(next);
                string? failure;
                try
                {
                    using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
                    failure = isSuccess(response) ? null : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (HttpRequestException ex)
                {
                    failure = ex.HttpRequestError.ToString();
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = "timeout";
                }

                var done = Stopwatch.GetTimestamp();
                InterlockedMax(ref lastDone, done);
                var late = done > stopAt;
                if (sent < measureFrom || (late && Interlocked.Read(ref measured) >= minMeasured))
                {
                    continue; // warm-up, or finished after the window closed: not counted
                }

                Interlocked.Increment(ref measured);
                if (late)
                {
                    InterlockedMax(ref lastLateMeasured, done);
                }

                if (failure is null)
                {
                    histogram.RecordTicks(done - sent);
                    succeeded[worker]++;
                }
                else
                {
                    failures.AddOrUpdate(failure, 1, (_, n) => n + 1);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, connections).Select(i => Task.Run(() => Worker(i), cancellationToken)));
        var total = new LatencyHistogram();
        foreach (var h in histograms)
        {
            total.Add(h);
        }

        // A count-limited run ends before its window closes, and a window kept open for minMeasured ends after it: the
        // rate is over the time the measured requests actually took.
        var elapsed = lastLateMeasured > stopAt
            ? TimeSpan.FromSeconds((double)(lastLateMeasured - measureFrom) / Stopwatch.Frequency)
            : TimeSpan.FromSeconds(Math.Min(duration.TotalSeconds, (double)(lastDone - measureFrom) / Stopwatch.Frequency));
        return new LoadResult(succeeded.Sum(), failures.Values.Sum(), elapsed, total, failures.ToDictionary(StringComparer.Ordinal))
        {
            Sent = Math.Min(Interlocked.Read(ref sequence), maxRequests),
        };
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
