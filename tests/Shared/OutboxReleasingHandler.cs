using DaprOrders.Emulator;

namespace DaprOrders.Testing;

/// <summary>
/// Sends through a service's own client, then, after a POST, lets the emulator's virtual clock run while daprd's outbox
/// holds messages (<see cref="DaprEmulator.ReleaseOutboxAsync"/>): an order's <c>order.created</c> follows its commit by
/// about 1 s, as real time would give it.
/// </summary>
internal sealed class OutboxReleasingHandler(HttpClient service, DaprEmulator emulator, TimeSpan settleTimeout) : HttpMessageHandler
{
    /// <summary>A client like <paramref name="service"/> (same base address) that releases the outbox after each POST.</summary>
    public static HttpClient Wrap(HttpClient service, DaprEmulator emulator, TimeSpan settleTimeout)
    {
        ArgumentNullException.ThrowIfNull(service);
        return new HttpClient(new OutboxReleasingHandler(service, emulator, settleTimeout)) { BaseAddress = service.BaseAddress };
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // HttpClient refuses a request message another HttpClient already sent: forward a copy.
        var forwarded = new HttpRequestMessage(request.Method, request.RequestUri) { Content = request.Content, Version = request.Version };
        foreach (var header in request.Headers)
        {
            forwarded.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        var response = await service.SendAsync(forwarded, cancellationToken);
        if (request.Method == HttpMethod.Post)
        {
            await emulator.ReleaseOutboxAsync(settleTimeout, cancellationToken);
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
