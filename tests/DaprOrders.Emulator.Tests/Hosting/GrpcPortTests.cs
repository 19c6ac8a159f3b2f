using System.Net;
using DaprOrders.Emulator.Tests.Infrastructure;

namespace DaprOrders.Emulator.Tests.Hosting;

/// <summary>Each sidecar's gRPC API port: the one asked for (dapr.yaml's daprGRPCPort), HTTP/2 only, gRPC only.</summary>
public sealed class GrpcPortTests
{
    [Fact]
    public async Task The_sidecar_listens_on_the_grpc_port_it_was_given_and_serves_no_http_api_there()
    {
        var port = LoopbackPorts.Free(1)[0];
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder().WithStateStore(), new Dictionary<string, TestApp?> { ["app"] = null },
            configure: options => options.Apps[0].DaprGrpcPort = port);
        var sidecar = bed.Emulator["app"];
        using var h2c = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        using var onGrpcPort = await h2c.GetAsync(new Uri(sidecar.GrpcEndpoint, "/v1.0/metadata"));
        using var onHttpPort = await bed.Http.GetAsync(bed.Sidecar("app", "/v1.0/metadata"));

        Assert.Equal(port, sidecar.GrpcPort);
        Assert.NotEqual(sidecar.HttpPort, sidecar.GrpcPort);
        Assert.Equal(HttpVersion.Version20, onGrpcPort.Version);
        Assert.Equal(HttpStatusCode.NotFound, onGrpcPort.StatusCode);
        Assert.Equal(HttpStatusCode.OK, onHttpPort.StatusCode);
    }
}
