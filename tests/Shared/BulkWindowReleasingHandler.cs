using DaprOrders.Emulator;

namespace DaprOrders.Testing;

/// <summary>
/// Sends through a service's own client after letting the emulator's virtual clock pass the bulk-subscribe windows
/// that hold messages for it (<see cref="DaprEmulator.ReleaseBulkWindowsAsync"/>): daprd flushes a batch on a ticker of
/// <c>maxAwaitDurationMs</c>, which real time would give it before anyone asks the service what it received.
/// </summary>
internal sealed class BulkWindowReleasingHandler(HttpClient service, DaprEmulator emulator, TimeSpan settleTimeout) : HttpMessageHandler
{
    /// <summary>A client like <paramref name="service"/> (same base address) that releases open bulk windows before each request.</summary>
    public static HttpClient Wrap(HttpClient service, DaprEmulator emulator, TimeSpan settleTimeout)
    {
        ArgumentNullException.ThrowIfNull(service);
        return new HttpClient(new BulkWindowReleasingHandler(service, emulator, settleTimeout)) { BaseAddress = service.BaseAddress };
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await emulator.ReleaseBulkWindowsAsync(settleTimeout, cancellationToken);

        // HttpClient refuses a request message another HttpClient already sent: forward a copy.
        var forwarded = new HttpRequestMessage(request.Method, request.RequestUri) { Content = request.Content, Version = request.Version };
        foreach (var header in request.Headers)
        {
            forwarded.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return await service.SendAsync(forwarded, cancellationToken);
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
