using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DaprOrders.Emulator;
using DaprOrders.Emulator.PubSub;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Chaos.Tests.Security;

/// <summary>
/// Component scopes and topic scopes of components/in-memory deny what they do not list, enforced by the emulator
/// as daprd enforces them: <c>loyalty</c> is in the pubsub's scopes but may publish only to <c>deadletters</c> and
/// subscribe only to <c>order-completed</c>; <c>intruder</c> is in no component's scopes at all.
/// </summary>
public sealed class ScopeTests : IAsyncLifetime
{
    private WebApplication _loyalty = null!;
    private DaprEmulator _emulator = null!;

    public async Task InitializeAsync()
    {
        // A stand-in loyalty app that asks for more than it is allowed: order-completed (allowed) and payment-succeeded (not).
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _loyalty = builder.Build();
        _loyalty.MapGet("/dapr/subscribe", () => Results.Text(
            """[{"pubsubname":"pubsub","topic":"order-completed","route":"/in"},{"pubsubname":"pubsub","topic":"payment-succeeded","route":"/in"}]""",
            "application/json"));
        _loyalty.MapPost("/in", () => Results.Text("""{"status":"SUCCESS"}""", "application/json"));
        await _loyalty.StartAsync();
        var port = new Uri(_loyalty.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;

        var root = RepositoryRoot.Path;
        var options = new EmulatorOptions { RandomSeed = 1 };
        options.ResourcesPaths.Add(Path.Combine(root, "components", "shared"));
        options.ResourcesPaths.Add(Path.Combine(root, "components", "in-memory"));
        options.Apps.Add(new EmulatedAppOptions { AppId = "loyalty", AppPort = port });
        options.Apps.Add(new EmulatedAppOptions { AppId = "intruder" });
        _emulator = await DaprEmulator.StartAsync(options, LoggerFactory.Create(_ => { }));
        await _emulator.WaitForAppsReadyAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        await _loyalty.DisposeAsync();
    }

    [Fact]
    public async Task Publishing_to_a_topic_outside_the_apps_publishing_scopes_is_403()
    {
        using var loyalty = Sidecar("loyalty");
        using var response = await loyalty.PostAsync("v1.0/publish/pubsub/order-completed", Json("""{"orderId":"x"}"""));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("ERR_PUBSUB_FORBIDDEN", (await response.Content.ReadFromJsonAsync<JsonNode>())!["errorCode"]!.GetValue<string>());

        // Its own scope works, so the 403 is the scope and not a broken publish.
        using var allowed = await loyalty.PostAsync("v1.0/publish/pubsub/deadletters", Json("""{"orderId":"x"}"""));
        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.False(_emulator.Services.GetRequiredService<PubSubBroker>().PublishedCounts.ContainsKey("pubsub/order-completed"));
    }

    [Fact]
    public async Task An_app_outside_the_component_scopes_does_not_see_the_pubsub_or_the_state_stores()
    {
        using var intruder = Sidecar("intruder");
        using var publish = await intruder.PostAsync("v1.0/publish/pubsub/order-created", Json("""{"orderId":"x"}"""));
        // daprd's answer when an app has no pub/sub component at all.
        Assert.Equal(HttpStatusCode.BadRequest, publish.StatusCode);
        Assert.Equal("ERR_PUBSUB_NOT_CONFIGURED", (await publish.Content.ReadFromJsonAsync<JsonNode>())!["errorCode"]!.GetValue<string>());

        // No store is scoped to it: daprd's answer for an app without any state store (dapr/dapr release-1.17 pkg/api/http/http.go).
        foreach (var store in new[] { "statestore", "orderstore" })
        {
            using var state = await intruder.GetAsync($"v1.0/state/{store}/order-1");
            Assert.Equal(HttpStatusCode.InternalServerError, state.StatusCode);
            Assert.Equal("ERR_STATE_STORE_NOT_CONFIGURED", (await state.Content.ReadFromJsonAsync<JsonNode>())!["errorCode"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_state_store_scoped_to_another_app_is_not_found()
    {
        using var loyalty = Sidecar("loyalty");
        using var orderstore = await loyalty.GetAsync("v1.0/state/orderstore/order-1");
        Assert.Equal(HttpStatusCode.BadRequest, orderstore.StatusCode);
        Assert.Equal("ERR_STATE_STORE_NOT_FOUND", (await orderstore.Content.ReadFromJsonAsync<JsonNode>())!["errorCode"]!.GetValue<string>());

        using var statestore = await loyalty.GetAsync("v1.0/state/statestore/order-1");
        Assert.Equal(HttpStatusCode.NoContent, statestore.StatusCode);
    }

    [Fact]
    public void A_subscription_outside_the_apps_subscription_scopes_is_not_started()
    {
        var topics = _emulator.Services.GetRequiredService<PubSubBroker>().SubscriptionsOf("loyalty").Select(s => s.Topic).ToList();
        Assert.Equal(["order-completed"], topics);
    }

    private HttpClient Sidecar(string appId) => new() { BaseAddress = _emulator[appId].HttpEndpoint };

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
