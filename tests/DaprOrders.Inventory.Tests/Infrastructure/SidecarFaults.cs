using System.Net;

namespace DaprOrders.Inventory.Tests.Infrastructure;

/// <summary>A call from the service to its sidecar, as <see cref="SidecarFaults.FailWhen"/> sees it.</summary>
/// <param name="Path">gRPC method (<c>/dapr.proto.runtime.v1.Dapr/SaveState</c>) or HTTP path, repeated slashes removed.</param>
/// <param name="Body">The request bytes as UTF-8 (a protobuf body still shows its keys and JSON values).</param>
public sealed record SidecarCall(string Path, string Body);

/// <summary>
/// Makes chosen calls from the service to its sidecar fail, as a crash of the sidecar connection at that point would: the
/// call never reaches the emulator and the service sees a failed call (gRPC status Internal, or HTTP 500 for the actor API).
/// The emulator injects faults into deliveries only; this is the one way the tests inject them into the service's own calls.
/// </summary>
public sealed class SidecarFaults
{
    public Func<SidecarCall, bool>? FailWhen { get; set; }

    /// <summary>A handler for the service's gRPC channel or actor proxies that applies <see cref="FailWhen"/>.</summary>
    public HttpMessageHandler Around(HttpMessageHandler inner) => new FaultingHandler(this) { InnerHandler = inner };

    private sealed class FaultingHandler(SidecarFaults faults) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (faults.FailWhen is { } failWhen)
            {
                var body = string.Empty;
                if (request.Content is not null)
                {
                    await request.Content.LoadIntoBufferAsync(cancellationToken);
                    body = System.Text.Encoding.UTF8.GetString(await request.Content.ReadAsByteArrayAsync(cancellationToken));
                }

                var path = System.Text.RegularExpressions.Regex.Replace(request.RequestUri!.AbsolutePath, "/{2,}", "/");
                if (failWhen(new SidecarCall(path, body)))
                {
                    return new HttpResponseMessage(HttpStatusCode.InternalServerError) { RequestMessage = request };
                }
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
