using System.Net;
using DaprOrders.Sidecar.Tests.Infrastructure;
using DaprOrders.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DaprOrders.Sidecar.Tests;

public sealed class HealthAndConfigurationTests : IAsyncLifetime
{
    private RecordingSidecar _sidecar = null!;

    public async Task InitializeAsync() => _sidecar = await RecordingSidecar.StartAsync();

    public async Task DisposeAsync() => await _sidecar.DisposeAsync();

    // Dapr docs: reference/api/health_api#wait-for-specific-health-check-against-outbound-path
    [Fact]
    public async Task WaitForSidecarAsync_polls_healthz_outbound_until_it_answers_204()
    {
        var calls = 0;
        _sidecar.RespondWith(_ => Interlocked.Increment(ref calls) < 3
            ? ScriptedResponse.DaprError(500, "ERR_OUTBOUND_HEALTH_NOT_READY", "dapr outbound is not ready")
            : ScriptedResponse.NoContent);
        var client = _sidecar.CreateClient(configure: o => o.StartupPollInterval = TimeSpan.FromMilliseconds(10));

        await client.WaitForSidecarAsync();

        Assert.Equal(3, _sidecar.Requests.Count);
        Assert.All(_sidecar.Requests, r => Assert.Equal(("GET", "/v1.0/healthz/outbound"), (r.Method, r.Path)));
    }

    // Dapr docs: reference/api/health_api#wait-for-specific-health-check-against-outbound-path (never ready)
    [Fact]
    public async Task WaitForSidecarAsync_gives_up_at_the_deadline_when_the_sidecar_stays_unready()
    {
        _sidecar.RespondWith(ScriptedResponse.DaprError(500, "ERR_OUTBOUND_HEALTH_NOT_READY", "not ready"));
        var client = _sidecar.CreateClient(configure: o =>
        {
            // Long enough for several answered probes even on a loaded machine.
            o.StartupTimeout = TimeSpan.FromSeconds(3);
            o.StartupPollInterval = TimeSpan.FromMilliseconds(50);
        });

        var error = await Assert.ThrowsAsync<DaprSidecarUnavailableException>(() => client.WaitForSidecarAsync());

        Assert.Contains("HTTP 500", error.Message, StringComparison.Ordinal);
        Assert.Equal(_sidecar.Url, error.Endpoint);
        Assert.True(_sidecar.Requests.Count >= 2, "should have retried before giving up");
    }

    // Dapr docs: reference/api/health_api (unreachable sidecar: bounded retry, then a clear error)
    [Fact]
    public async Task Unreachable_sidecar_fails_with_a_clear_error_naming_the_url_and_variables()
    {
        var deadPort = TcpPorts.Unused();
        var services = new ServiceCollection();
        services.AddDaprSidecar(o =>
        {
            o.HttpEndpoint = new Uri($"http://127.0.0.1:{deadPort}");
            o.StartupTimeout = TimeSpan.FromMilliseconds(500);
            o.StartupPollInterval = TimeSpan.FromMilliseconds(50);
        });
        var client = services.BuildServiceProvider().GetRequiredService<DaprSidecarClient>();

        var waitError = await Assert.ThrowsAsync<DaprSidecarUnavailableException>(() => client.WaitForSidecarAsync());
        var callError = await Assert.ThrowsAsync<DaprSidecarUnavailableException>(() =>
            client.PublishEventAsync("p", "t", new Order(1, 1m), TestJsonContext.Default.Order));

        Assert.Contains($"127.0.0.1:{deadPort}", waitError.Message, StringComparison.Ordinal);
        Assert.Contains("DAPR_HTTP_PORT", waitError.Message, StringComparison.Ordinal);
        Assert.IsType<HttpRequestException>(waitError.InnerException);
        Assert.Contains("POST /v1.0/publish/p/t", callError.Message, StringComparison.Ordinal);
        Assert.False(await client.CheckOutboundHealthAsync());
    }

    // Dapr docs: reference/api/health_api#get-dapr-health-state
    [Fact]
    public async Task CheckHealthAsync_maps_204_to_healthy_and_500_to_unhealthy()
    {
        var client = _sidecar.CreateClient();
        Assert.True(await client.CheckHealthAsync());

        _sidecar.RespondWith(ScriptedResponse.DaprError(500, "ERR_HEALTH_NOT_READY", "dapr is not ready"));
        Assert.False(await client.CheckHealthAsync());

        Assert.All(_sidecar.Requests, r => Assert.Equal("/v1.0/healthz", r.Path));
    }

    // Dapr docs: reference/api/metadata_api#get-the-dapr-sidecar-information
    [Fact]
    public async Task GetMetadataAsync_parses_the_documented_shape()
    {
        _sidecar.RespondWith(ScriptedResponse.Json(200, """
            {"id":"checkout","runtimeVersion":"1.17.2","enabledFeatures":["ActorStateTTL"],
             "actors":[{"type":"OrderActor","count":3}],
             "components":[{"name":"statestore","type":"state.redis","version":"v1","capabilities":["ETAG","TRANSACTIONAL","ACTOR"]}],
             "extended":{"daprRuntimeVersion":"1.17.2"},
             "subscriptions":[{"pubsubname":"orderpubsub","topic":"orders","metadata":{},"rules":[{"match":"","path":"/orders"}],"deadLetterTopic":"","type":"PROGRAMMATIC"}],
             "appConnectionProperties":{"port":5000,"protocol":"http","channelAddress":"127.0.0.1"},
             "actorRuntime":{"runtimeStatus":"RUNNING","activeActors":[{"type":"OrderActor","count":3}],"hostReady":true,"placement":"placement: connected"}}
            """));
        var client = _sidecar.CreateClient();

        var metadata = await client.GetMetadataAsync();

        Assert.Equal(("GET", "/v1.0/metadata"), (_sidecar.Single().Method, _sidecar.Single().Path));
        Assert.Equal("sidecar-token", _sidecar.Single().Header("dapr-api-token"));
        Assert.Equal("checkout", metadata.Id);
        Assert.Equal("1.17.2", metadata.RuntimeVersion);
        Assert.Equal(["ActorStateTTL"], metadata.EnabledFeatures);
        Assert.Equal(new DaprActorMetadata("OrderActor", 3), Assert.Single(metadata.Actors));
        Assert.Equal(["ETAG", "TRANSACTIONAL", "ACTOR"], Assert.Single(metadata.Components).Capabilities!);
        var subscription = Assert.Single(metadata.Subscriptions);
        Assert.Equal("orderpubsub", subscription.PubsubName);
        Assert.Equal("/orders", Assert.Single(subscription.Rules!).Path);
        Assert.Equal("1.17.2", metadata.Extended["daprRuntimeVersion"]);
        Assert.True(metadata.ActorRuntime!.HostReady);
        Assert.Equal(5000, metadata.AppConnectionProperties!.Port);
    }

    // Dapr docs: reference/environment (DAPR_HTTP_ENDPOINT, DAPR_HTTP_PORT, DAPR_API_TOKEN, APP_API_TOKEN, APP_ID)
    [Fact]
    public void Options_bind_from_configuration_with_endpoint_winning_over_port()
    {
        var fromPort = Bind(new() { ["DAPR_HTTP_PORT"] = "3601", ["DAPR_API_TOKEN"] = "t1", ["APP_API_TOKEN"] = "t2", ["APP_ID"] = "orders" });
        var fromEndpoint = Bind(new() { ["DAPR_HTTP_PORT"] = "3601", ["DAPR_HTTP_ENDPOINT"] = "http://dapr.local:3500" });
        var defaults = Bind([]);

        Assert.Equal(new Uri("http://127.0.0.1:3601"), fromPort.HttpEndpoint);
        Assert.Equal(("t1", "t2", "orders"), (fromPort.ApiToken, fromPort.AppApiToken, fromPort.AppId));
        Assert.Equal(new Uri("http://dapr.local:3500"), fromEndpoint.HttpEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:3500"), defaults.HttpEndpoint);
        Assert.Null(defaults.ApiToken);
        Assert.Throws<InvalidOperationException>(() => Bind(new() { ["DAPR_HTTP_PORT"] = "http" }));
    }

    // Dapr docs: reference/environment (explicit settings override the environment)
    [Fact]
    public void Explicit_configuration_wins_over_environment_even_when_AddDaprSidecar_runs_twice()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["DAPR_HTTP_PORT"] = "3601", ["DAPR_API_TOKEN"] = "env" }).Build());
        services.AddDaprSidecar(o => o.ApiToken = "explicit");
        services.AddDaprSidecar();

        var options = services.BuildServiceProvider().GetRequiredService<IOptions<DaprSidecarOptions>>().Value;

        Assert.Equal("explicit", options.ApiToken);
        Assert.Equal(new Uri("http://127.0.0.1:3601"), options.HttpEndpoint);
    }

    private static DaprSidecarOptions Bind(Dictionary<string, string?> values) =>
        new DaprSidecarOptions().BindFrom(new ConfigurationBuilder().AddInMemoryCollection(values).Build());


    // The client is on every hot path of every service: no per-request log lines above Debug.
    [Fact]
    public async Task Successful_sidecar_calls_log_one_debug_line_each_and_nothing_from_the_http_client_factory()
    {
        var logs = new RecordingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddDaprSidecar(o => o.HttpEndpoint = _sidecar.Url);
        var client = services.BuildServiceProvider().GetRequiredService<DaprSidecarClient>();

        await client.PublishEventAsync("pubsub", "orders", new Order(1, 2m), TestJsonContext.Default.Order);
        await client.SaveStateAsync("store", "k", new Order(1, 2m), TestJsonContext.Default.Order);
        Assert.Null(await client.GetStateAsync("store", "missing", TestJsonContext.Default.Order));

        Assert.Equal(3, _sidecar.Requests.Count);
        Assert.Equal(3, logs.Entries.Count);
        Assert.All(logs.Entries, e => Assert.Equal((LogLevel.Debug, "DaprOrders.Sidecar.DaprSidecarClient"), (e.Level, e.Category)));
    }

    [Fact]
    public async Task A_redirect_is_not_followed_but_reported_with_its_status()
    {
        _sidecar.RespondWith(new ScriptedResponse(307, Headers: new Dictionary<string, string> { ["Location"] = "/elsewhere" }));
        var client = _sidecar.CreateClient();

        var error = await Assert.ThrowsAsync<DaprApiException>(() =>
            client.PublishEventAsync("pubsub", "orders", new Order(1, 2m), TestJsonContext.Default.Order));

        Assert.Equal(HttpStatusCode.TemporaryRedirect, error.StatusCode);
        Assert.Equal("/v1.0/publish/pubsub/orders", Assert.Single(_sidecar.Requests).Path);
    }
}
