using System.Net;
using System.Text.Json.Nodes;
using DaprOrders.Emulator.Actors;
using DaprOrders.Emulator.Tests.Infrastructure;

namespace DaprOrders.Emulator.Tests.Actors;

// daprd behaviour: dapr/dapr release-1.17 pkg/actors/targets/app/app.go and app/lock/lock.go (placement from /dapr/config, PUT callbacks, exactly-200 rule, turns).
public sealed class ActorInvocationTests
{
    private const string CartConfig = """{"entities":["Cart"],"actorIdleTimeout":"1h"}""";

    [Fact]
    public async Task Any_sidecar_invokes_a_placed_actor_and_the_host_gets_a_PUT_with_body_query_and_headers()
    {
        await using var bed = await ActorTestBed.StartAsync(CartConfig);
        bed.App.Handler = _ => Task.FromResult(new TestResponse(200, """{"total":3}""") { Headers = { ["X-Cart"] = "yes" } });

        using var request = new HttpRequestMessage(HttpMethod.Post, bed.Url("client", "/v1.0/actors/Cart/c-1/method/add?qty=2"))
        {
            Content = new StringContent("""{"sku":"A"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Caller", "test");
        var response = await bed.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"total":3}""", await response.Content.ReadAsStringAsync());
        Assert.Equal("yes", response.Headers.GetValues("X-Cart").Single());
        var call = Assert.Single(bed.App.Requests, r => r.Path.StartsWith("/actors/", StringComparison.Ordinal));
        Assert.Equal("PUT", call.Method);
        Assert.Equal("/actors/Cart/c-1/method/add", call.Path);
        Assert.Equal("?qty=2", call.QueryString);
        Assert.Equal("""{"sku":"A"}""", call.BodyText);
        Assert.StartsWith("application/json", call.Header("content-type"), StringComparison.Ordinal);
        Assert.Equal("test", call.Header("x-caller"));
        // daprd read /dapr/config with the app id header before anything else.
        var config = bed.App.Requests.First();
        Assert.Equal("/dapr/config", config.Path);
        Assert.Equal("host", config.Header("dapr-app-id"));
    }

    [Theory]
    [InlineData(204, "")]
    [InlineData(500, "cart exploded")]
    [InlineData(404, "no such method")]
    public async Task An_app_answer_other_than_200_is_500_ERR_ACTOR_INVOKE_METHOD_carrying_the_app_body(int appStatus, string appBody)
    {
        await using var bed = await ActorTestBed.StartAsync(CartConfig);
        bed.App.Handler = _ => Task.FromResult(new TestResponse(appStatus, appBody, "text/plain"));

        var response = await bed.SendAsync(HttpMethod.Get, "host", "/v1.0/actors/Cart/c-1/method/get");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("ERR_ACTOR_INVOKE_METHOD", error["errorCode"]!.GetValue<string>());
        Assert.Contains($"({appStatus}) {appBody}", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_undeclared_actor_type_cannot_be_invoked()
    {
        await using var bed = await ActorTestBed.StartAsync(configJson: null);

        var response = await bed.SendAsync(HttpMethod.Post, "client", "/v1.0/actors/Nope/1/method/m", "{}");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("ERR_ACTOR_INVOKE_METHOD", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(bed.App.Requests, r => r.Path.StartsWith("/actors/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Calls_to_one_actor_take_turns_in_arrival_order_while_other_actors_run_in_parallel()
    {
        await using var bed = await ActorTestBed.StartAsync(CartConfig);
        var firstTurn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bed.App.Handler = async request =>
        {
            if (request.Path.EndsWith("/first", StringComparison.Ordinal))
            {
                await firstTurn.Task;
            }

            return new TestResponse(200, "\"done\"");
        };

        var first = bed.SendAsync(HttpMethod.Post, "client", "/v1.0/actors/Cart/busy/method/first", "{}");
        await bed.App.WaitForAsync("PUT", "/actors/Cart/busy/method/first");
        var second = bed.SendAsync(HttpMethod.Post, "client", "/v1.0/actors/Cart/busy/method/second", "{}");
        await ActorTestBed.EventuallyAsync(() => bed.Runtime.PendingTurns(new ActorAddress("host", "Cart", "busy")) == 2, "second turn queued");
        var third = bed.SendAsync(HttpMethod.Post, "host", "/v1.0/actors/Cart/busy/method/third", "{}");
        await ActorTestBed.EventuallyAsync(() => bed.Runtime.PendingTurns(new ActorAddress("host", "Cart", "busy")) == 3, "three turns queued");

        // Another actor is not blocked by the busy one.
        var other = await bed.SendAsync(HttpMethod.Post, "client", "/v1.0/actors/Cart/other/method/second", "{}");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Empty(bed.App.RequestsTo("PUT", "/actors/Cart/busy/method/second"));

        firstTurn.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await third).StatusCode);
        var busyCalls = bed.App.Requests.Where(r => r.Path.StartsWith("/actors/Cart/busy/", StringComparison.Ordinal)).Select(r => r.Path).ToList();
        Assert.Equal(["/actors/Cart/busy/method/first", "/actors/Cart/busy/method/second", "/actors/Cart/busy/method/third"], busyCalls);
        Assert.Equal(1, bed.App.MaxInFlightPerActor);
    }

    [Fact]
    public async Task Reentrant_calls_with_the_turns_reentrancy_id_enter_instead_of_deadlocking()
    {
        await using var bed = await ActorTestBed.StartAsync("""{"entities":["Cart"],"reentrancy":{"enabled":true,"maxStackDepth":4}}""");
        bed.App.Handler = async request =>
        {
            if (request.Path.EndsWith("/outer", StringComparison.Ordinal))
            {
                // The app calls back into the same actor, forwarding the reentrancy id as the SDKs do.
                using var nested = new HttpRequestMessage(HttpMethod.Post, bed.Url("host", "/v1.0/actors/Cart/r/method/inner"));
                nested.Headers.Add("Dapr-Reentrancy-Id", request.Header("dapr-reentrancy-id"));
                var inner = await bed.Http.SendAsync(nested);
                return new TestResponse(200, $"\"outer saw {(int)inner.StatusCode}\"");
            }

            return new TestResponse(200, "\"inner\"");
        };

        var response = await bed.SendAsync(HttpMethod.Post, "client", "/v1.0/actors/Cart/r/method/outer", "{}");

        Assert.Equal("\"outer saw 200\"", await response.Content.ReadAsStringAsync());
        Assert.NotNull(bed.App.RequestsTo("PUT", "/actors/Cart/r/method/outer").Single().Header("dapr-reentrancy-id"));
    }

    [Fact]
    public async Task Metadata_lists_hosted_actor_types_with_active_counts()
    {
        await using var bed = await ActorTestBed.StartAsync(CartConfig);
        await bed.SendAsync(HttpMethod.Post, "client", "/v1.0/actors/Cart/a/method/m", "{}");
        await bed.SendAsync(HttpMethod.Post, "client", "/v1.0/actors/Cart/b/method/m", "{}");

        var metadata = JsonNode.Parse(await bed.Http.GetStringAsync(bed.Url("host", "/v1.0/metadata")))!;

        Assert.Equal("Cart", metadata["actors"]![0]!["type"]!.GetValue<string>());
        Assert.Equal(2, metadata["actors"]![0]!["count"]!.GetValue<int>());
        Assert.Equal("RUNNING", metadata["actorRuntime"]!["runtimeStatus"]!.GetValue<string>());
        var client = JsonNode.Parse(await bed.Http.GetStringAsync(bed.Url("client", "/v1.0/metadata")))!;
        Assert.Null(client["actors"]);
    }

    [Fact]
    public async Task Retries_from_targets_actors_run_on_the_emulator_clock()
    {
        const string resiliency = """
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata:
              name: actor-retries
            spec:
              policies:
                retries:
                  cartRetry:
                    policy: constant
                    duration: 5s
                    maxRetries: 2
              targets:
                actors:
                  Cart:
                    retry: cartRetry
            """;
        await using var bed = await ActorTestBed.StartAsync(CartConfig, resiliency);
        var attempts = 0;
        bed.App.Handler = _ => Task.FromResult(Interlocked.Increment(ref attempts) < 3
            ? new TestResponse(500, "not yet", "text/plain")
            : new TestResponse(200, "\"finally\""));

        var response = await bed.AdvanceUntilAsync(bed.SendAsync(HttpMethod.Post, "client", "/v1.0/actors/Cart/c/method/m", "{}"), TimeSpan.FromSeconds(1));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"finally\"", await response.Content.ReadAsStringAsync());
        Assert.Equal(3, attempts);
    }
}
