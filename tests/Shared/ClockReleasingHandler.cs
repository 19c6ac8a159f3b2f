using DaprOrders.Emulator;

namespace DaprOrders.Testing;

/// <summary>
/// Sends through a service's own client and lets the emulator's virtual clock pass where real time would have: daprd's
/// outbox publishes an event about 1 s after its commit (<see cref="DaprEmulator.ReleaseOutboxAsync"/>), and its bulk
/// subscriber flushes a window on a ticker of <c>maxAwaitDurationMs</c> (<see cref="DaprEmulator.ReleaseBulkWindowsAsync"/>).
/// </summary>
internal sealed class ClockReleasingHandler(
    HttpClient service,
    Func<CancellationToken, Task>? beforeEachRequest,
    Func<CancellationToken, Task>? afterEachPost) : HttpMessageHandler
{
    /// <summary>A client like <paramref name="service"/> that, after each POST, runs the clock while the outbox holds messages.</summary>
    public static HttpClient ReleasingOutbox(HttpClient service, DaprEmulator emulator, TimeSpan settleTimeout)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        return Wrap(service, beforeEachRequest: null, afterEachPost: ct => emulator.ReleaseOutboxAsync(settleTimeout, ct));
    }

    /// <summary>A client like <paramref name="service"/> that, before each request, runs the clock through open bulk windows.</summary>
    public static HttpClient ReleasingBulkWindows(HttpClient service, DaprEmulator emulator, TimeSpan settleTimeout)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        return Wrap(service, beforeEachRequest: ct => emulator.ReleaseBulkWindowsAsync(settleTimeout, ct), afterEachPost: null);
    }

    private static HttpClient Wrap(HttpClient service, Func<CancellationToken, Task>? beforeEachRequest, Func<CancellationToken, Task>? afterEachPost)
    {
        ArgumentNullException.ThrowIfNull(service);
        return new HttpClient(new ClockReleasingHandler(service, beforeEachRequest, afterEachPost)) { BaseAddress = service.BaseAddress };
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (beforeEachRequest is not null)
        {
            await beforeEachRequest(cancellationToken);
        }

        // HttpClient refuses a request message another HttpClient already sent: forward a copy.
        var forwarded = new HttpRequestMessage(request.Method, request.RequestUri) { Content = request.Content, Version = request.Version };
        foreach (var header in request.Headers)
        {
            forwarded.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        var response = await service.SendAsync(forwarded, cancellationToken);
        if (afterEachPost is not null && request.Method == HttpMethod.Post)
        {
            await afterEachPost(cancellationToken);
        }

        return response;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            service.Dispose();
        }

        base.Dispose(disposing);
    }
}
