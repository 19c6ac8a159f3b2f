using System.Net;
using DaprOrders.Bench.Load;

namespace DaprOrders.Benchmarks.Tests;

/// <summary>The closed loop's measurement window, against a server slower than the window is long.</summary>
public sealed class HttpLoadTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task A_window_shorter_than_every_response_measures_nothing_unless_asked_to_wait_for_a_minimum()
    {
        using var client = new HttpClient(new SlowServer(Window * 5)) { BaseAddress = new Uri("http://load.test/") };

        // Every request starts inside the window and ends after it: a real run reports that it measured nothing.
        var strict = await RunAsync(client, minMeasured: 0);
        Assert.Equal(0, strict.Succeeded);

        // A smoke run keeps the window open until it measured one request per connection, whatever the machine's speed.
        var smoke = await RunAsync(client, minMeasured: 2);
        Assert.True(smoke.Succeeded >= 2, $"measured {smoke.Succeeded}");
        Assert.True(smoke.Elapsed > Window, $"the rate must be over the time the measured requests took, not the nominal window ({smoke.Elapsed})");
    }

    private static Task<LoadResult> RunAsync(HttpClient client, long minMeasured) =>
        HttpLoad.RunClosedLoopAsync(client, _ => new HttpRequestMessage(HttpMethod.Post, "orders"), connections: 2,
            warmup: TimeSpan.Zero, duration: Window, isSuccess: r => r.StatusCode == HttpStatusCode.Accepted, minMeasured: minMeasured);

    /// <summary>Answers 202 after <c>latency</c>: a server that never answers within the window.</summary>
    private sealed class SlowServer(TimeSpan latency) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(latency, cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.Accepted);
        }
    }
}
