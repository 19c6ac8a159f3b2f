using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Dapr.Client;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DaprOrders.Testing;

/// <summary>A call from the service to its sidecar, as <see cref="SidecarFaults"/> sees it.</summary>
/// <param name="Path">gRPC method (<c>/dapr.proto.runtime.v1.Dapr/SaveState</c>) or HTTP path, repeated slashes removed.</param>
/// <param name="Body">The request bytes as UTF-8 (a protobuf body still shows its keys and JSON values).</param>
/// <param name="Content">The request bytes as sent (a gRPC body is one length-prefixed message).</param>
/// <param name="Method">The HTTP method (<c>POST</c> for every gRPC call).</param>
public sealed record SidecarCall(string Path, string Body, ReadOnlyMemory<byte> Content, string Method);

/// <summary>
/// Sits between the service and its sidecar: records every call the service makes (<see cref="Calls"/>) and makes the
/// calls <see cref="FailWhen"/> picks fail, as a crash of the sidecar connection at that point would: the call never
/// reaches the emulator and the service sees a failed call (gRPC status Internal, or HTTP 500 for the actor API). The
/// emulator injects faults into deliveries only; this is the one way the tests see and break the service's own calls.
/// </summary>
public sealed partial class SidecarFaults
{
    private readonly ConcurrentQueue<SidecarCall> _calls = new();

    public Func<SidecarCall, bool>? FailWhen { get; set; }

    /// <summary>Every call the service made to its sidecar so far, in order, the failed ones included.</summary>
    public IReadOnlyList<SidecarCall> Calls => [.. _calls];

    /// <summary>The calls to <paramref name="path"/> (a gRPC method such as <c>/dapr.proto.runtime.v1.Dapr/GetState</c>, or an HTTP path prefix).</summary>
    public IReadOnlyList<SidecarCall> CallsTo(string path) =>
        [.. _calls.Where(c => c.Path.StartsWith(path, StringComparison.Ordinal))];

    /// <summary>A handler for the service's gRPC channel or actor proxies that records calls and applies <see cref="FailWhen"/>.</summary>
    public HttpMessageHandler Around(HttpMessageHandler inner) => new FaultingHandler(this) { InnerHandler = inner };

    /// <summary>The service's <see cref="DaprClient"/>, configured as <c>AddDaprApp()</c> configures it, behind these faults.</summary>
    public void AddDaprClient(IServiceCollection services) =>
        services.AddSingleton(sp =>
        {
            var configuration = sp.GetRequiredService<IConfiguration>();
            return new DaprClientBuilder()
                .UseGrpcEndpoint(configuration["DAPR_GRPC_ENDPOINT"])
                .UseHttpEndpoint(configuration["DAPR_HTTP_ENDPOINT"])
                .UseDaprApiToken(configuration["DAPR_API_TOKEN"])
                .UseJsonSerializationOptions(sp.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions)
                .UseGrpcChannelOptions(new GrpcChannelOptions { HttpHandler = Around(new SocketsHttpHandler()) })
                .Build();
        });

    [GeneratedRegex("/{2,}")]
    private static partial Regex RepeatedSlashes();

    private sealed class FaultingHandler(SidecarFaults faults) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = Array.Empty<byte>();
            if (request.Content is not null)
            {
                await request.Content.LoadIntoBufferAsync(cancellationToken);
                content = await request.Content.ReadAsByteArrayAsync(cancellationToken);
            }

            var call = new SidecarCall(RepeatedSlashes().Replace(request.RequestUri!.AbsolutePath, "/"), Encoding.UTF8.GetString(content), content,
                request.Method.Method);
            faults._calls.Enqueue(call);
            if (faults.FailWhen is { } failWhen && failWhen(call))
            {
                return new HttpResponseMessage(HttpStatusCode.InternalServerError) { RequestMessage = request };
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
