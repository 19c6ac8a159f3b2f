using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using DaprOrders.Sidecar.Actors;
using DaprOrders.Sidecar.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.Sidecar.Tests;

public sealed class ActorHostTests : IAsyncLifetime
{
    private readonly ActorJournal _journal = new();
    private RecordingSidecar _sidecar = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _sidecar = await RecordingSidecar.StartAsync();
        _app = await TestApp.StartAsync(
            builder =>
            {
                builder.Services.AddSingleton(_journal);
                builder.Services.AddDaprSidecar(o =>
                {
                    o.HttpEndpoint = _sidecar.Url;
                    o.ApiToken = "sidecar-token";
                });
                builder.Services.AddDaprActors(o =>
                {
                    o.RegisterActor<CartActor>();
                    o.RegisterActor<GateActor>("Gate");
                    o.ActorIdleTimeout = TimeSpan.FromMinutes(15);
                    o.DrainOngoingCallTimeout = TimeSpan.FromSeconds(30);
                    o.Reentrancy.Enabled = true;
                    o.Reentrancy.MaxStackDepth = 8;
                });
            },
            app => app.MapDaprActors());
        _http = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
        await _sidecar.DisposeAsync();
    }

    private ActorHost Host => _app.Services.GetRequiredService<ActorHost>();

    // Dapr docs: reference/api/actors_api#get-registered-actors (GET /dapr/config)
    [Fact]
    public async Task Dapr_config_lists_entities_and_go_durations()
    {
        using var response = await _http.GetAsync(new Uri("/dapr/config", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonAssert.Equal("""
            {"entities":["CartActor","Gate"],"actorIdleTimeout":"0h15m0s0ms","drainOngoingCallTimeout":"0h0m30s0ms",
             "drainRebalancedActors":true,"reentrancy":{"enabled":true,"maxStackDepth":8}}
            """, await response.Content.ReadAsStringAsync());
    }

    // Dapr docs: reference/api/actors_api#invoke-actor-method-1 (app side) + #actor-state-transactions
    [Fact]
    public async Task Method_call_loads_state_lazily_and_saves_the_turn_in_one_transaction()
    {
        _sidecar.RespondWith(r => r.Method == "GET" && r.Path.EndsWith("/state/count", StringComparison.Ordinal)
            ? ScriptedResponse.Json(200, "5")
            : ScriptedResponse.NoContent);

        using var first = await CallAsync("CartActor", "c1", "AddLine", """{"sku":"a","quantity":2}""");
        using var second = await CallAsync("CartActor", "c1", "AddLine", """{"sku":"b","quantity":3}""");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("7", await first.Content.ReadAsStringAsync());
        Assert.Equal("10", await second.Content.ReadAsStringAsync());
        var requests = _sidecar.Requests;
        Assert.Equal(3, requests.Count); // one lazy read (cached afterwards), one transaction per turn
        Assert.Equal(("GET", "/v1.0/actors/CartActor/c1/state/count"), (requests[0].Method, requests[0].Path));
        Assert.Equal(("POST", "/v1.0/actors/CartActor/c1/state"), (requests[1].Method, requests[1].Path));
        Assert.Equal("sidecar-token", requests[1].Header("dapr-api-token"));
        JsonAssert.Equal("""
            [{"operation":"upsert","request":{"key":"count","value":7}},
             {"operation":"upsert","request":{"key":"last","value":{"sku":"a","quantity":2}}}]
            """, requests[1].Body);
        JsonAssert.Equal("""
            [{"operation":"upsert","request":{"key":"count","value":10}},
             {"operation":"upsert","request":{"key":"last","value":{"sku":"b","quantity":3}}}]
            """, requests[2].Body);
        Assert.Equal(["activate:c1"], _journal.Entries);
    }

    // Dapr docs: reference/api/actors_api#invoke-actor-method-1 (exactly 200; void methods return an empty 200)
    [Fact]
    public async Task Method_without_result_answers_exactly_200_and_a_turn_without_changes_saves_nothing()
    {
        using var response = await CallAsync("CartActor", "c2", "Touch", body: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
        Assert.Empty(_sidecar.Requests);
    }

    // Dapr docs: reference/api/actors_api#invoke-actor-method-1 (error relayed; .NET SDK clears the state cache)
    [Fact]
    public async Task Failed_turn_saves_nothing_and_forgets_cached_state()
    {
        _sidecar.RespondWith(r => r.Method == "GET" ? ScriptedResponse.Json(200, "1") : ScriptedResponse.NoContent);

        using var failed = await CallAsync("CartActor", "c3", "AddThenFail", """{"sku":"x","quantity":100}""");
        using var count = await CallAsync("CartActor", "c3", "GetCount", body: null);

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal("application/problem+json", failed.Content.Headers.ContentType?.MediaType);
        Assert.Contains("boom", await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("1", await count.Content.ReadAsStringAsync());
        Assert.DoesNotContain(_sidecar.Requests, r => r.Method == "POST");
        Assert.Equal(2, _sidecar.Requests.Count(r => r.Method == "GET")); // re-read after the cache was cleared
    }

    // Dapr docs: reference/api/actors_api#invoke-actor-method-1 (404 ⇒ "method not found", no retry)
    [Theory]
    [InlineData("/actors/CartActor/c1/method/NoSuchMethod")]
    [InlineData("/actors/NoSuchActor/c1/method/AddLine")]
    [InlineData("/actors/CartActor/c1/method/OnActivateAsync")]
    public async Task Unknown_actor_type_or_method_is_404_problem_details(string path)
    {
        using var response = await _http.PutAsync(new Uri(path, UriKind.Relative), new StringContent(string.Empty));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(_journal.Entries);
    }

    // Dapr docs: reference/api/actors_api#invoke-reminder
    [Fact]
    public async Task Reminder_fire_passes_name_and_verbatim_data_to_ReceiveReminderAsync()
    {
        using var response = await PutAsync("/actors/CartActor/c4/method/remind/expire",
            """{"data":{"reason":"idle"},"dueTime":"","period":""}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["activate:c4", """reminder:expire:{"reason":"idle"}"""], _journal.Entries);
        // The reminder turn's state change is saved like any other turn.
        JsonAssert.Equal("""[{"operation":"upsert","request":{"key":"lastReminder","value":"expire"}}]""", _sidecar.Single().Body);
    }

    // Dapr docs: reference/api/actors_api#invoke-timer
    [Fact]
    public async Task Timer_fire_invokes_the_callback_method_with_its_data()
    {
        using var response = await PutAsync("/actors/CartActor/c5/method/timer/tick",
            """{"callback":"OnTick","data":3,"dueTime":"0h0m1s0ms","period":"0h0m1s0ms"}""");
        using var unknown = await PutAsync("/actors/CartActor/c5/method/timer/tick", """{"callback":"Nope","data":null}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(["activate:c5", "tick:3"], _journal.Entries);
    }

    // Dapr docs: reference/api/actors_api#deactivate-actor
    [Fact]
    public async Task Deactivation_calls_OnDeactivateAsync_drops_the_instance_and_answers_200()
    {
        using var call = await CallAsync("CartActor", "c6", "Touch", body: null);
        Assert.Equal(1, Host.ActiveCount);

        using var deactivate = await _http.DeleteAsync(new Uri("/actors/CartActor/c6", UriKind.Relative));
        using var again = await _http.DeleteAsync(new Uri("/actors/CartActor/c6", UriKind.Relative));
        using var reactivated = await CallAsync("CartActor", "c6", "Touch", body: null);

        Assert.Equal(HttpStatusCode.OK, deactivate.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(["activate:c6", "deactivate:c6", "activate:c6"], _journal.Entries);
        Assert.Equal(1, Host.ActiveCount);
    }

    // Dapr docs: developing-applications/building-blocks/actors/actors-features-concepts#turn-based-access (one turn at a time per actor id; other ids run in parallel)
    [Fact]
    public async Task Calls_to_one_actor_id_wait_for_the_running_turn_while_other_ids_proceed()
    {
        var probe = _app.Services.GetRequiredService<ActorJournal>();

        var first = CallAsync("Gate", "g1", "Hold", body: null);
        await TestApp.WaitUntilAsync(() => probe.Entered("g1") == 1, "the first turn of g1 is running");

        var second = CallAsync("Gate", "g1", "Hold", body: null);
        var otherId = CallAsync("Gate", "g2", "Hold", body: null);
        await TestApp.WaitUntilAsync(() => Host.QueuedTurns("Gate", "g1") == 1, "the second call of g1 queues behind the first");
        await TestApp.WaitUntilAsync(() => probe.Entered("g2") == 1, "g2 runs while g1 is busy");
        Assert.Equal(1, probe.Entered("g1"));

        probe.OpenGate();
        using var r1 = await first;
        using var r2 = await second;
        using var r3 = await otherId;

        Assert.All(new[] { r1, r2, r3 }, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(2, probe.Entered("g1"));
        Assert.Equal(1, probe.MaxConcurrent("g1"));
    }

    // Dapr docs: developing-applications/building-blocks/actors/actors-features-concepts#turn-based-access (many concurrent read-modify-write turns lose no update)
    [Fact]
    public async Task Concurrent_read_modify_write_turns_never_overlap()
    {
        var calls = Enumerable.Range(0, 25).Select(_ => CallAsync("CartActor", "busy", "IncrementSlowly", body: null)).ToList();
        var responses = await Task.WhenAll(calls);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var results = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        Assert.Equal(Enumerable.Range(1, 25).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(),
            results.Order());
        Assert.Equal(1, _journal.MaxConcurrent("busy"));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    // Dapr docs: developing-applications/building-blocks/actors/actor-reentrancy (same Dapr-Reentrancy-Id re-enters)
    [Fact]
    public async Task Reentrant_call_with_the_running_turns_id_is_not_queued_behind_it()
    {
        var probe = _app.Services.GetRequiredService<ActorJournal>();
        var holding = CallAsync("Gate", "g9", "Hold", body: null, reentrancyId: "chain-1");
        await TestApp.WaitUntilAsync(() => probe.Entered("g9") == 1, "the outer turn is running");

        using var nested = await CallAsync("Gate", "g9", "Ping", body: null, reentrancyId: "chain-1");
        var unrelated = CallAsync("Gate", "g9", "Ping", body: null, reentrancyId: "chain-2");
        await TestApp.WaitUntilAsync(() => Host.QueuedTurns("Gate", "g9") == 1, "a call from another chain queues");

        Assert.Equal(HttpStatusCode.OK, nested.StatusCode);
        Assert.False(holding.IsCompleted);
        probe.OpenGate();
        using var outer = await holding;
        using var other = await unrelated;
        Assert.Equal(HttpStatusCode.OK, outer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    // Dapr docs: reference/api/actors_api#invoke-actor-method-1 (bad JSON argument is the caller's error)
    [Fact]
    public async Task Invalid_argument_json_is_400_problem_details()
    {
        using var response = await CallAsync("CartActor", "c7", "AddLine", """{"sku":1}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(_journal.Entries); // rejected before the turn: the actor was not activated
        Assert.Equal(0, Host.ActiveCount);
    }

    private Task<HttpResponseMessage> CallAsync(string actorType, string actorId, string method, string? body, string? reentrancyId = null) =>
        PutAsync($"/actors/{actorType}/{actorId}/method/{method}", body, reentrancyId);

    private Task<HttpResponseMessage> PutAsync(string path, string? body, string? reentrancyId = null)
    {
        // daprd always uses PUT for actor callbacks.
        var request = new HttpRequestMessage(HttpMethod.Put, path)
        {
            Content = body is null ? new ByteArrayContent([]) : new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (reentrancyId is not null)
        {
            request.Headers.Add("Dapr-Reentrancy-Id", reentrancyId);
        }

        return _http.SendAsync(request);
    }

    public sealed class ActorJournal
    {
        private readonly ConcurrentQueue<string> _entries = new();
        private readonly ConcurrentDictionary<string, int> _entered = new();
        private readonly ConcurrentDictionary<string, int> _inFlight = new();
        private readonly ConcurrentDictionary<string, int> _maxInFlight = new();
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<string> Entries => _entries.ToArray();

        public Task Gate => _gate.Task;

        public void Add(string entry) => _entries.Enqueue(entry);

        public void OpenGate() => _gate.TrySetResult();

        public int Entered(string id) => _entered.GetValueOrDefault(id);

        public int MaxConcurrent(string id) => _maxInFlight.GetValueOrDefault(id);

        public void Enter(string id)
        {
            _entered.AddOrUpdate(id, 1, (_, n) => n + 1);
            var now = _inFlight.AddOrUpdate(id, 1, (_, n) => n + 1);
            _maxInFlight.AddOrUpdate(id, now, (_, max) => Math.Max(max, now));
        }

        public void Leave(string id) => _inFlight.AddOrUpdate(id, 0, (_, n) => n - 1);
    }

    public sealed class CartActor(ActorJournal journal) : Actor, IRemindable
    {
        public async Task<int> AddLine(OrderLine line)
        {
            var count = await StateManager.TryGetStateAsync<int>("count");
            var total = count.Value + line.Quantity;
            await StateManager.SetStateAsync("count", total);
            await StateManager.SetStateAsync("last", line);
            return total;
        }

        public async Task AddThenFail(OrderLine line, CancellationToken cancellationToken)
        {
            await AddLine(line);
            throw new InvalidOperationException("boom");
        }

        public async Task<int> GetCount() => (await StateManager.TryGetStateAsync<int>("count")).Value;

        public Task Touch() => Task.CompletedTask;

        public ValueTask OnTick(int increment)
        {
            journal.Add($"tick:{increment}");
            return ValueTask.CompletedTask;
        }

        public async ValueTask<int> IncrementSlowly()
        {
            journal.Enter(Id);
            try
            {
                var current = (await StateManager.TryGetStateAsync<int>("n")).Value;
                for (var i = 0; i < 20; i++)
                {
                    await Task.Yield(); // give an overlapping turn every chance to interleave
                }

                await StateManager.SetStateAsync("n", current + 1);
                return current + 1;
            }
            finally
            {
                journal.Leave(Id);
            }
        }

        public async Task ReceiveReminderAsync(string reminderName, JsonElement? data, CancellationToken cancellationToken)
        {
            journal.Add($"reminder:{reminderName}:{data?.GetRawText()}");
            await StateManager.SetStateAsync("lastReminder", reminderName, cancellationToken);
        }

        protected override Task OnActivateAsync()
        {
            journal.Add($"activate:{Id}");
            return Task.CompletedTask;
        }

        protected override Task OnDeactivateAsync()
        {
            journal.Add($"deactivate:{Id}");
            return Task.CompletedTask;
        }
    }

    public sealed class GateActor(ActorJournal journal) : Actor
    {
        public Task<string> Ping() => Task.FromResult(Id);

        public async Task Hold(CancellationToken cancellationToken)
        {
            journal.Enter(Id);
            try
            {
                await journal.Gate.WaitAsync(cancellationToken);
            }
            finally
            {
                journal.Leave(Id);
            }
        }
    }
}
