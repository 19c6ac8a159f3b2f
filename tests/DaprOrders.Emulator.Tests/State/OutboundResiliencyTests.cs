using System.Net;
using System.Text.Json.Nodes;
using Dapr;
using Dapr.Client;
using DaprOrders.Emulator.Resiliency;
using DaprOrders.Emulator.Resources;
using DaprOrders.Emulator.Tests.Actors;
using DaprOrders.Emulator.Tests.DotNetSdk;
using DaprOrders.Emulator.Tests.Infrastructure;
using DaprOrders.Testing;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DaprOrders.Emulator.Tests.State;

// State calls run through the store's outbound resiliency policy, as daprd v1.17.13 runs them: pkg/api/http/http.go and
// pkg/api/universal/state.go (get, delete, transaction), pkg/components/state/bulk.go (a save marks an ETag error
// permanent), pkg/resiliency/policy.go (the breaker wraps every attempt and counts every error) and
// pkg/resiliency/resiliency.go (one breaker per component; a named target gets no Default*Policy).
public sealed class OutboundResiliencyTests
{
    private static readonly Dictionary<string, TestApp?> OrdersApp = new() { ["orders"] = null };

    private static ResourceFolder Store(string policies, string target) => new ResourceFolder().WithStateStore().Write("resiliency.yaml", $"""
        apiVersion: dapr.io/v1alpha1
        kind: Resiliency
        metadata:
          name: test
        spec:
          policies:
        {policies}
          targets:
            components:
              statestore:
                outbound:
        {target}
        """);

    private static async Task SaveAsync(EmulatorTestBed bed, string key, int value)
    {
        var saved = await bed.PostJsonAsync("orders", "/v1.0/state/statestore", $$"""[{"key":"{{key}}","value":{{value}}}]""");
        Assert.Equal(HttpStatusCode.NoContent, saved.StatusCode);
    }

    private static async Task<string?> ErrorCode(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())?["errorCode"]?.GetValue<string>();

    // Through the official .NET SDK's DaprClient (gRPC), as the services call their stores, on the repository's own
    // components (components/shared/resiliency.yaml, components/in-memory): Ordering's first-write outbox transaction
    // meeting a stored order, and a service's ETag-guarded save meeting a newer write, twelve times each in a row.
    // With a retry, a fake clock nobody advances would hang the call; with a breaker (> 10 consecutive failures, as
    // infrastructureBreaker has), the twelfth conflict would have opened it and the next read would fail.
    [Fact]
    public async Task Twelve_conflicting_writes_in_a_row_leave_the_store_usable_with_the_repositorys_resiliency()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder(), new Dictionary<string, TestApp?> { ["ordering"] = null }, clock,
            options =>
            {
                options.ResourcesPaths.Add(Path.Combine(RepositoryRoot.Path, "components", "shared"));
                options.ResourcesPaths.Add(Path.Combine(RepositoryRoot.Path, "components", "in-memory"));
            });
        using var dapr = SdkTestBed.NewClient(bed.Emulator["ordering"], apiToken: null);
        var firstWrite = new StateOptions { Concurrency = ConcurrencyMode.FirstWrite };
        IReadOnlyList<StateTransactionRequest> Create(string key) =>
            [new StateTransactionRequest(key, """{"n":1}"""u8.ToArray(), StateOperationType.Upsert, options: firstWrite)];
        await dapr.ExecuteStateTransactionAsync("orderstore", Create("order-1"));
        await dapr.SaveStateAsync("statestore", "stock-1", 1);
        var (_, staleETag) = await dapr.GetStateAndETagAsync<int>("statestore", "stock-1");
        await dapr.SaveStateAsync("statestore", "stock-1", 2);

        for (var i = 0; i < 12; i++)
        {
            var clash = await Assert.ThrowsAsync<DaprException>(() => dapr.ExecuteStateTransactionAsync("orderstore", Create("order-1")).WaitAsync(EmulatorTestBed.Deadline));
            Assert.Equal(StatusCode.Internal, Assert.IsType<RpcException>(clash.InnerException).StatusCode);
            Assert.False(await dapr.TrySaveStateAsync("statestore", "stock-1", 3, staleETag).WaitAsync(EmulatorTestBed.Deadline));
        }

        Assert.NotNull(await dapr.GetStateAsync<JsonObject>("orderstore", "order-1").WaitAsync(EmulatorTestBed.Deadline));
        await dapr.ExecuteStateTransactionAsync("orderstore", Create("order-2")).WaitAsync(EmulatorTestBed.Deadline);
        var (stock, etag) = await dapr.GetStateAndETagAsync<int>("statestore", "stock-1").WaitAsync(EmulatorTestBed.Deadline);
        Assert.Equal(2, stock);
        Assert.True(await dapr.TrySaveStateAsync("statestore", "stock-1", 3, etag).WaitAsync(EmulatorTestBed.Deadline));
        Assert.Equal(0, bed.Emulator.Services.GetRequiredService<ResiliencyPolicies>().RetryWaitsStarted);
    }

    [Fact]
    public async Task A_conflict_is_retried_on_a_delete_and_in_a_transaction_but_not_on_a_save()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var bed = await EmulatorTestBed.StartAsync(Store("""
                retries:
                  once:
                    policy: constant
                    duration: 1s
                    maxRetries: 1
            """, "          retry: once"), OrdersApp, clock);
        var policies = bed.Emulator.Services.GetRequiredService<ResiliencyPolicies>();
        await SaveAsync(bed, "k", 1);

        var save = await bed.PostJsonAsync("orders", "/v1.0/state/statestore", """[{"key":"k","value":2,"etag":"stale"}]""").WaitAsync(EmulatorTestBed.Deadline);
        Assert.Equal(HttpStatusCode.Conflict, save.StatusCode);
        Assert.Equal(0, policies.RetryWaitsStarted);

        using var stale = new HttpRequestMessage(HttpMethod.Delete, bed.Sidecar("orders", "/v1.0/state/statestore/k"));
        stale.Headers.TryAddWithoutValidation("If-Match", "stale");
        var delete = bed.Http.SendAsync(stale);
        await Eventually.UntilAsync(() => Task.FromResult(policies.RetryWaitsStarted >= 1), "the delete's retry to wait", timeout: EmulatorTestBed.Deadline);
        await bed.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Conflict, (await delete.WaitAsync(EmulatorTestBed.Deadline)).StatusCode);

        var transaction = bed.PostJsonAsync("orders", "/v1.0/state/statestore/transaction", """
            {"operations":[{"operation":"upsert","request":{"key":"k","value":3,"etag":"stale"}}]}
            """);
        await Eventually.UntilAsync(() => Task.FromResult(policies.RetryWaitsStarted >= 2), "the transaction's retry to wait", timeout: EmulatorTestBed.Deadline);
        await bed.AdvanceAsync(TimeSpan.FromSeconds(1));
        var failed = await transaction.WaitAsync(EmulatorTestBed.Deadline);
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal("ERR_STATE_TRANSACTION", await ErrorCode(failed));
        Assert.Equal(2, policies.RetryWaitsStarted);
    }

    [Fact]
    public async Task Conflicts_open_the_stores_breaker_and_then_reads_fail_until_it_half_opens()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var bed = await EmulatorTestBed.StartAsync(Store("""
                circuitBreakers:
                  store:
                    maxRequests: 1
                    timeout: 15s
                    trip: consecutiveFailures > 2
            """, "          circuitBreaker: store"), OrdersApp, clock);
        await SaveAsync(bed, "k", 1);

        for (var i = 0; i < 3; i++)
        {
            var conflict = await bed.PostJsonAsync("orders", "/v1.0/state/statestore", """[{"key":"k","value":2,"etag":"stale"}]""");
            Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        }

        var blocked = await bed.Http.GetAsync(bed.Sidecar("orders", "/v1.0/state/statestore/k"));
        await bed.AdvanceAsync(TimeSpan.FromSeconds(15));
        var probe = await bed.Http.GetAsync(bed.Sidecar("orders", "/v1.0/state/statestore/k"));

        Assert.Equal(HttpStatusCode.InternalServerError, blocked.StatusCode);
        Assert.Equal("ERR_STATE_GET", await ErrorCode(blocked));
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
    }

    // dapr/dapr v1.17.13 pkg/actors/state/state.go executeStateStoreTransaction: an actor state transaction runs through
    // the actor state store's outbound policy, so its conflicts reach the store's breaker and an open breaker refuses it.
    [Fact]
    public async Task An_actor_state_transaction_runs_under_the_actor_stores_outbound_policy()
    {
        await using var bed = await ActorTestBed.StartAsync("""{"entities":["Cart"]}""", extraResourcesYaml: """
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata:
              name: test
            spec:
              policies:
                circuitBreakers:
                  store:
                    maxRequests: 1
                    timeout: 15s
                    trip: consecutiveFailures > 1
              targets:
                components:
                  actorstore:
                    outbound:
                      circuitBreaker: store
            """);
        await bed.PostAsync("client", "/v1.0/actors/Cart/c-1/method/touch", "{}");
        const string Valid = """[{"operation":"upsert","request":{"key":"items","value":1}}]""";

        for (var i = 0; i < 2; i++)
        {
            var conflict = await bed.PostAsync("host", "/v1.0/actors/Cart/c-1/state", """[{"operation":"upsert","request":{"key":"items","value":2,"etag":"stale"}}]""");
            Assert.Equal(HttpStatusCode.InternalServerError, conflict.StatusCode);
        }

        var refused = await bed.PostAsync("host", "/v1.0/actors/Cart/c-1/state", Valid);
        await bed.AdvanceAsync(TimeSpan.FromSeconds(15));
        var probe = await bed.PostAsync("host", "/v1.0/actors/Cart/c-1/state", Valid);

        Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
        Assert.Equal("ERR_ACTOR_STATE_TRANSACTION_SAVE", await ErrorCode(refused));
        Assert.Contains("circuit breaker", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, probe.StatusCode);
    }

    [Fact]
    public async Task A_named_store_target_gets_no_default_policy_and_shares_one_breaker_between_inbound_and_outbound()
    {
        var resources = new ResourceFolder().WithPubSub().WithStateStore().WithStateStore("other").Write("resiliency.yaml", """
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata:
              name: test
            spec:
              policies:
                timeouts:
                  short: 1s
                retries:
                  DefaultStatestoreComponentOutboundRetryPolicy:
                    policy: constant
                    duration: 1s
                    maxRetries: 3
                circuitBreakers:
                  broker:
                    trip: consecutiveFailures > 5
              targets:
                components:
                  statestore:
                    outbound:
                      timeout: short
                  pubsub:
                    inbound:
                      circuitBreaker: broker
                    outbound:
                      circuitBreaker: broker
            """);
        await using var bed = await EmulatorTestBed.StartAsync(resources, OrdersApp);
        var policies = bed.Emulator.Services.GetRequiredService<ResiliencyPolicies>();
        var named = bed.StateStores.Find("orders", "statestore")!.Definition;
        var unnamed = bed.StateStores.Find("orders", "other")!.Definition;
        var pubsub = bed.Emulator.Services.GetRequiredService<EmulatorResources>().Components.Single(c => c.Name == "pubsub");

        Assert.Null(policies.ForComponentOutbound("orders", named).Policy.Retry);
        Assert.Equal(TimeSpan.FromSeconds(1), policies.ForComponentOutbound("orders", named).Policy.Timeout);
        Assert.Equal(3, policies.ForComponentOutbound("orders", unnamed).Policy.Retry!.MaxRetries);
        Assert.Same(policies.ForComponentInbound("orders", pubsub).Policy.CircuitBreaker, policies.ForComponentOutbound("orders", pubsub).Policy.CircuitBreaker);
    }
}
