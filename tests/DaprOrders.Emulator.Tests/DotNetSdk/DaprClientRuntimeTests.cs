using System.Net;
using System.Net.Http.Json;
using Dapr;
using Dapr.Client;
using DaprOrders.Emulator.Tests.Infrastructure;
using Google.Rpc;
using Grpc.Core;

namespace DaprOrders.Emulator.Tests.DotNetSdk;

/// <summary>
/// The rest of what the official .NET SDK's DaprClient does against a sidecar: metadata over gRPC, health and service
/// invocation over HTTP, the dapr-api-token on every call, and the RPCs the emulator does not serve.
/// </summary>
public sealed class DaprClientRuntimeTests
{
    private sealed record Order(int Qty);

    [Fact]
    public async Task Metadata_names_the_app_its_components_and_what_set_metadata_stored()
    {
        await using var sdk = await SdkTestBed.StartAsync();

        await sdk.Client.SetMetadataAsync("team", "orders");
        var metadata = await sdk.Client.GetMetadataAsync();

        Assert.Equal(SdkTestBed.AppId, metadata.Id);
        Assert.Equal("orders", metadata.Extended["team"]);
        var store = Assert.Single(metadata.Components, c => c.Name == "statestore");
        Assert.Equal("state.in-memory", store.Type);
        Assert.Contains("ETAG", store.Capabilities);
        Assert.Contains(metadata.Components, c => c.Name == "pubsub" && c.Type == "pubsub.in-memory");
    }

    [Fact]
    public async Task Health_checks_go_to_the_http_port_and_succeed()
    {
        await using var sdk = await SdkTestBed.StartAsync();

        await sdk.Client.WaitForSidecarAsync();
        Assert.True(await sdk.Client.CheckHealthAsync());
        Assert.True(await sdk.Client.CheckOutboundHealthAsync());
    }

    // DaprClient.InvokeMethodAsync is Obsolete in 1.19.1 (its guidance: use a native HTTP client), so the SDK's paths
    // are the request DaprClient builds, sent by any HttpClient, and the HttpClient CreateInvokeHttpClient returns.
    [Fact]
    public async Task Invocation_through_an_invoke_request_and_the_invoke_http_client_reaches_the_app()
    {
        await using var sdk = await SdkTestBed.StartAsync();
        sdk.App.Respond("POST", "/echo", TestResponse.Json("{\"qty\":4}"));
        sdk.App.Respond("GET", "/fails", new TestResponse(503, "{\"reason\":\"down\"}"));

        using var request = sdk.Client.CreateInvokeMethodRequest(HttpMethod.Post, SdkTestBed.AppId, "echo", [], new Order(4));
        using var answer = await sdk.Bed.Http.SendAsync(request);
        using var http = DaprClient.CreateInvokeHttpClient(SdkTestBed.AppId, sdk.Sidecar.HttpEndpoint.ToString());
        var echoed = await http.PostAsJsonAsync(new Uri("/echo", UriKind.Relative), new Order(5));
        using var failed = await http.GetAsync(new Uri("/fails", UriKind.Relative));

        Assert.Equal(new Order(4), await answer.Content.ReadFromJsonAsync<Order>());
        Assert.Equal(["{\"qty\":4}", "{\"qty\":5}"], sdk.App.RequestsTo("/echo").Select(r => r.BodyText));
        Assert.Equal(HttpStatusCode.OK, echoed.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal("{\"reason\":\"down\"}", await failed.Content.ReadAsStringAsync());
    }

    // daprd's token check (dapr/dapr@3289e4d pkg/api/grpc/auth.go): UNAUTHENTICATED "Unauthorized" with an ErrorInfo
    // (domain dapr.io) whose http.error_message says what was wrong (pkg/messaging/v1 ErrorFromHTTPResponseCode).
    [Theory]
    [InlineData(null, "missing api token in request metadata")]
    [InlineData("wrong", "authentication error: api token mismatch")]
    public async Task A_missing_or_wrong_token_is_unauthenticated(string? token, string detail)
    {
        await using var sdk = await SdkTestBed.StartAsync(apiToken: "s3cret");
        using var client = SdkTestBed.NewClient(sdk.Sidecar, token);

        var error = await Assert.ThrowsAsync<DaprException>(() => client.GetStateAsync<Order>("statestore", "k"));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.Unauthenticated, rpc.StatusCode);
        Assert.Equal("Unauthorized", rpc.Status.Detail);
        var status = Google.Rpc.Status.Parser.ParseFrom(rpc.Trailers.GetValueBytes("grpc-status-details-bin"));
        var info = status.Details.Single().Unpack<ErrorInfo>();
        Assert.Equal("dapr.io", info.Domain);
        Assert.Equal(detail, info.Metadata["http.error_message"]);
    }

    [Fact]
    public async Task With_the_right_token_every_grpc_call_the_sdk_makes_is_accepted_bulk_publish_included()
    {
        await using var sdk = await SdkTestBed.StartAsync(apiToken: "s3cret");

        await sdk.Client.SaveStateAsync("statestore", "k", new Order(1));
        var response = await sdk.Client.BulkPublishEventAsync("pubsub", "orders", [new Order(1)]);

        Assert.Equal(new Order(1), await sdk.Client.GetStateAsync<Order>("statestore", "k"));
        Assert.Empty(response.FailedEntries);
        await sdk.App.WaitForDeliveriesAsync("/orders", 1);
    }

    [Fact]
    public async Task An_rpc_the_emulator_does_not_serve_is_unimplemented_and_says_so()
    {
        await using var sdk = await SdkTestBed.StartAsync();

        var error = await Assert.ThrowsAsync<DaprException>(() => sdk.Client.GetSecretAsync("vault", "db"));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.Unimplemented, rpc.StatusCode);
        Assert.Contains("dapr.proto.runtime.v1.Dapr/GetSecret is not implemented by the DaprOrders emulator", rpc.Status.Detail, StringComparison.Ordinal);
    }
}
