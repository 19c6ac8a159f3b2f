using Dapr.Client.Autogen.Grpc.v1;
using Grpc.Core;
using Grpc.Net.Client;

namespace DaprOrders.Emulator.Tests.DotNetSdk;

/// <summary>
/// What DaprClient cannot send, through Dapr.Protos' generated client on the same gRPC door: a transaction operation
/// daprd does not know, and streaming RPCs the emulator does not serve.
/// </summary>
public sealed class RawGrpcTests
{
    // ExecuteStateTransaction refuses an operation other than upsert/delete with UNIMPLEMENTED
    // (dapr/dapr@3289e4d pkg/api/grpc/grpc.go, messages.ErrNotSupportedStateOperation), before writing anything.
    [Fact]
    public async Task An_unknown_transaction_operation_is_unimplemented_and_writes_nothing()
    {
        await using var sdk = await SdkTestBed.StartAsync();
        using var channel = GrpcChannel.ForAddress(sdk.Sidecar.GrpcEndpoint);
        var client = new Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient(channel);
        var request = new ExecuteStateTransactionRequest { StoreName = "statestore" };
        request.Operations.Add(new TransactionalStateOperation { OperationType = "upsert", Request = new StateItem { Key = "a" } });
        request.Operations.Add(new TransactionalStateOperation { OperationType = "merge", Request = new StateItem { Key = "b" } });

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ExecuteStateTransactionAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        Assert.Equal("operation type merge not supported", error.Status.Detail);
        Assert.Empty((await client.GetStateAsync(new GetStateRequest { StoreName = "statestore", Key = "a" })).Etag);
    }

    [Fact]
    public async Task A_streaming_rpc_the_emulator_does_not_serve_is_unimplemented()
    {
        await using var sdk = await SdkTestBed.StartAsync();
        using var channel = GrpcChannel.ForAddress(sdk.Sidecar.GrpcEndpoint);
        var client = new Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient(channel);

        using var call = client.SubscribeTopicEventsAlpha1();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        Assert.Contains("not implemented by the DaprOrders emulator", error.Status.Detail, StringComparison.Ordinal);
    }
}
