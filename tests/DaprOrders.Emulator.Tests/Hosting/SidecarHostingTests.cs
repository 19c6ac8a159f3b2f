using System.Net;
using DaprOrders.Emulator;
using DaprOrders.Testing;

namespace DaprOrders.Emulator.Tests.Hosting;

// daprd behaviour: https://docs.dapr.io/operations/security/api-token/ (API token) and dapr/dapr release-1.17 pkg/api/http/healthz.go (health, startup order).
public sealed class SidecarHostingTests
{
    [Fact]
    public async Task Each_app_gets_its_own_sidecar_port_and_outbound_health_is_ready_before_the_app_listens()
    {
        var options = new EmulatorOptions();
        options.Apps.Add(new EmulatedAppOptions { AppId = "a", AppPort = LoopbackPorts.Free(1)[0] });
        options.Apps.Add(new EmulatedAppOptions { AppId = "b" });
        await using var emulator = await DaprEmulator.StartAsync(options);
        using var http = new HttpClient();

        Assert.NotEqual(emulator["a"].HttpPort, emulator["b"].HttpPort);
        var outbound = await http.GetAsync(new Uri(emulator["a"].HttpEndpoint, "/v1.0/healthz/outbound"));
        Assert.Equal(HttpStatusCode.NoContent, outbound.StatusCode);

        // App "a" does not listen yet, so daprd's full health is not ready.
        var health = await http.GetAsync(new Uri(emulator["a"].HttpEndpoint, "/v1.0/healthz"));
        Assert.Equal(HttpStatusCode.InternalServerError, health.StatusCode);
        Assert.Contains("ERR_HEALTH_NOT_READY", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // App "b" has no port, so it is ready at once.
        await emulator["b"].WaitUntilReadyAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var ready = await http.GetAsync(new Uri(emulator["b"].HttpEndpoint, "/v1.0/healthz"));
        Assert.Equal(HttpStatusCode.NoContent, ready.StatusCode);
    }

    [Fact]
    public async Task The_api_token_is_required_except_on_health_endpoints()
    {
        var options = new EmulatorOptions();
        options.Apps.Add(new EmulatedAppOptions { AppId = "a", DaprApiToken = "s3cret" });
        await using var emulator = await DaprEmulator.StartAsync(options);
        using var http = new HttpClient();
        var metadataUri = new Uri(emulator["a"].HttpEndpoint, "/v1.0/metadata");

        var denied = await http.GetAsync(metadataUri);
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        Assert.Equal("invalid api token", await denied.Content.ReadAsStringAsync());

        using var request = new HttpRequestMessage(HttpMethod.Get, metadataUri);
        request.Headers.Add("dapr-api-token", "s3cret");
        var allowed = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Contains("\"id\":\"a\"", await allowed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var health = await http.GetAsync(new Uri(emulator["a"].HttpEndpoint, "/v1.0/healthz/outbound"));
        Assert.Equal(HttpStatusCode.NoContent, health.StatusCode);
    }

    [Fact]
    public async Task Repeated_and_trailing_slashes_reach_the_route_of_the_clean_path()
    {
        // daprd routes on path.Clean (dapr/dapr v1.17 pkg/api/http/middlewares.go, CleanPathMiddleware). The .NET actor
        // SDK relies on it: its endpoint ends in "/" and it appends "/v1.0/actors/...".
        var options = new EmulatorOptions();
        options.Apps.Add(new EmulatedAppOptions { AppId = "a" });
        await using var emulator = await DaprEmulator.StartAsync(options);
        using var http = new HttpClient();

        var metadata = await http.GetAsync(new Uri(emulator["a"].HttpEndpoint.ToString() + "/v1.0//metadata/"));

        Assert.Equal("//v1.0//metadata/", metadata.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, metadata.StatusCode);
        Assert.Contains("\"id\":\"a\"", await metadata.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
