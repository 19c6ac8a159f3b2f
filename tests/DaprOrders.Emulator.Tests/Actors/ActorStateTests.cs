using System.Net;
using System.Text.Json.Nodes;
using DaprOrders.Emulator.State;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.Emulator.Tests.Actors;

// daprd behaviour: wire notes section 5.3 (actor state: bare-array transactions on active actors, host-app keys).
public sealed class ActorStateTests
{
    private const string CartConfig = """{"entities":["Cart"]}""";

    [Fact]
    public async Task A_transaction_needs_the_actor_active_on_this_sidecar_then_state_reads_back_under_the_host_app_key()
    {
        await using var bed = await ActorTestBed.StartAsync(CartConfig);
        const string transaction = """
            [{"operation":"upsert","request":{"key":"items","value":{"skus":["A","B"]}}},
             {"operation":"upsert","request":{"key":"owner","value":"ada"}}]
            """;

        var beforeActivation = await bed.PostAsync("host", "/v1.0/actors/Cart/c-1/state", transaction);
        Assert.Equal(HttpStatusCode.BadRequest, beforeActivation.StatusCode);
        Assert.Contains("ERR_ACTOR_INSTANCE_MISSING", await beforeActivation.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await bed.PostAsync("client", "/v1.0/actors/Cart/c-1/method/touch", "{}");
        var saved = await bed.PostAsync("host", "/v1.0/actors/Cart/c-1/state", transaction);
        Assert.Equal(HttpStatusCode.NoContent, saved.StatusCode);

        var items = await bed.SendAsync(HttpMethod.Get, "host", "/v1.0/actors/Cart/c-1/state/items");
        Assert.Equal(HttpStatusCode.OK, items.StatusCode);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"skus":["A","B"]}"""), JsonNode.Parse(await items.Content.ReadAsStringAsync())));
        var store = bed.Emulator.Services.GetRequiredService<StateStoreRegistry>().GetActorStateStore("host")!;
        Assert.NotNull(store.Get("host||Cart||c-1||owner"));

        // The client app is not where the actor is active, and reads its own (empty) key space.
        var fromClient = await bed.PostAsync("client", "/v1.0/actors/Cart/c-1/state", transaction);
        Assert.Equal(HttpStatusCode.BadRequest, fromClient.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await bed.SendAsync(HttpMethod.Get, "client", "/v1.0/actors/Cart/c-1/state/items")).StatusCode);

        var deleted = await bed.PostAsync("host", "/v1.0/actors/Cart/c-1/state", """[{"operation":"delete","request":{"key":"items"}}]""");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await bed.SendAsync(HttpMethod.Get, "host", "/v1.0/actors/Cart/c-1/state/items")).StatusCode);
    }

    [Fact]
    public async Task Bad_transactions_are_rejected_as_daprd_does()
    {
        await using var bed = await ActorTestBed.StartAsync(CartConfig);
        await bed.PostAsync("client", "/v1.0/actors/Cart/c-2/method/touch", "{}");

        var wrapped = await bed.PostAsync("host", "/v1.0/actors/Cart/c-2/state", """{"operations":[]}""");
        Assert.Equal(HttpStatusCode.BadRequest, wrapped.StatusCode);
        Assert.Contains("ERR_MALFORMED_REQUEST", await wrapped.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var unknownOperation = await bed.PostAsync("host", "/v1.0/actors/Cart/c-2/state", """[{"operation":"merge","request":{"key":"k"}}]""");
        Assert.Equal(HttpStatusCode.InternalServerError, unknownOperation.StatusCode);
        Assert.Contains("ERR_ACTOR_STATE_TRANSACTION_SAVE", await unknownOperation.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // ttlInSeconds needs the ActorStateTTL feature, which this configuration does not enable.
        var ttl = await bed.PostAsync("host", "/v1.0/actors/Cart/c-2/state",
            """[{"operation":"upsert","request":{"key":"k","value":1,"metadata":{"ttlInSeconds":"60"}}}]""");
        Assert.Equal(HttpStatusCode.InternalServerError, ttl.StatusCode);
        Assert.Contains("ActorStateTTL", await ttl.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task State_ttl_is_honoured_with_the_ActorStateTTL_feature_on_the_emulator_clock()
    {
        const string configuration = """
            apiVersion: dapr.io/v1alpha1
            kind: Configuration
            metadata:
              name: features
            spec:
              features:
                - name: ActorStateTTL
                  enabled: true
            """;
        await using var bed = await ActorTestBed.StartAsync(CartConfig, configurationYaml: configuration);
        await bed.PostAsync("client", "/v1.0/actors/Cart/c-3/method/touch", "{}");

        var saved = await bed.PostAsync("host", "/v1.0/actors/Cart/c-3/state",
            """[{"operation":"upsert","request":{"key":"k","value":1,"metadata":{"ttlInSeconds":"60"}}}]""");
        Assert.Equal(HttpStatusCode.NoContent, saved.StatusCode);

        var live = await bed.SendAsync(HttpMethod.Get, "host", "/v1.0/actors/Cart/c-3/state/k");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("2026-01-01T12:01:00Z", live.Headers.GetValues("metadata.ttlExpireTime").Single());
        await bed.AdvanceAsync(TimeSpan.FromSeconds(61));
        Assert.Equal(HttpStatusCode.NoContent, (await bed.SendAsync(HttpMethod.Get, "host", "/v1.0/actors/Cart/c-3/state/k")).StatusCode);
    }
}
