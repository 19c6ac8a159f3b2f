using System.Security.Cryptography;
using System.Text;
using DaprOrders.Emulator.Hosting;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace DaprOrders.Emulator.Grpc;

/// <summary>
/// daprd's dapr-api-token check on its gRPC API server, reflection included (dapr/dapr@3289e4d pkg/api/grpc/auth.go and
/// server.go): UNAUTHENTICATED with message "Unauthorized" (http.StatusText(401), from
/// pkg/messaging/v1 ErrorFromHTTPResponseCode); the detail says whether the token is missing or wrong.
/// </summary>
internal sealed class DaprApiTokenInterceptor(AppSidecar sidecar) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Check(ServerCallContext context)
    {
        var expected = sidecar.Options.DaprApiToken;
        if (string.IsNullOrEmpty(expected))
        {
            return;
        }

        var given = context.RequestHeaders.GetValue("dapr-api-token");
        if (given is null)
        {
            throw Unauthorized("missing api token in request metadata");
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected)))
        {
            throw Unauthorized("authentication error: api token mismatch");
        }
    }

    // Like daprd, the detail rides in an ErrorInfo of the rich status (grpc-status-details-bin), domain dapr.io.
    private static RpcException Unauthorized(string detail)
    {
        var status = new Google.Rpc.Status { Code = (int)StatusCode.Unauthenticated, Message = "Unauthorized" };
        status.Details.Add(Any.Pack(new Google.Rpc.ErrorInfo
        {
            Reason = "Unauthorized",
            Domain = "dapr.io",
            Metadata = { ["http.code"] = "401", ["http.error_message"] = detail },
        }));
        return new RpcException(new Status(StatusCode.Unauthenticated, "Unauthorized"),
            new Metadata { { "grpc-status-details-bin", status.ToByteArray() } });
    }
}
