using System.Net;
using System.Text.Json;
using DaprOrders.Sidecar.Tests.Infrastructure;

namespace DaprOrders.Sidecar.Tests;

public sealed class InvocationAndActorClientTests : IAsyncLifetime
{
    private RecordingSidecar _sidecar = null!;

    public async Task InitializeAsync() => _sidecar = await RecordingSidecar.StartAsync();

    public async Task DisposeAsync() => await _sidecar.DisposeAsync();

    // Dapr docs: reference/api/service_invocation_api#invoke-a-method-on-a-remote-dapr-app
    [Fact]
    public async Task InvokeMethodAsync_keeps_method_path_and_query_and_reads_json()
    {
        _sidecar.RespondWith(ScriptedResponse.Json(200, """{"orderId":3,"amount":4}"""));
        var client = _sidecar.CreateClient();

        var result = await client.InvokeMethodAsync(HttpMethod.Post, "orders", "/api/orders/3?expand=lines",
            new OrderLine("sku-1", 2), TestJsonContext.Default.OrderLine, TestJsonContext.Default.Order);

        var request = _sidecar.Single();
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1.0/invoke/orders/method/api/orders/3", request.Path);
        Assert.Equal("?expand=lines", request.Query);
        Assert.Equal("application/json", request.ContentType);
        Assert.Equal("sidecar-token", request.Header("dapr-api-token"));
        JsonAssert.Equal("""{"sku":"sku-1","quantity":2}""", request.Body);
        Assert.Equal(new Order(3, 4m), result);
    }

    // Dapr docs: reference/api/service_invocation_api#response-codes (app status is relayed)
    [Fact]
    public async Task Raw_invocation_returns_the_app_response_without_throwing()
    {
        _sidecar.RespondWith(new ScriptedResponse(409, "conflict!", "text/plain"));
        var client = _sidecar.CreateClient();

        using var request = client.CreateInvokeMethodRequest(HttpMethod.Get, "orders", "health");
        using var response = await client.InvokeMethodWithResponseAsync(request);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("conflict!", await response.Content.ReadAsStringAsync());
        Assert.Equal("/v1.0/invoke/orders/method/health", _sidecar.Single().Path);
        Assert.Equal("sidecar-token", _sidecar.Single().Header("dapr-api-token"));
    }

    // Dapr docs: reference/api/service_invocation_api#response-codes (500 ERR_DIRECT_INVOKE)
    [Fact]
    public async Task Typed_invocation_throws_for_dapr_errors()
    {
        _sidecar.RespondWith(ScriptedResponse.DaprError(500, "ERR_DIRECT_INVOKE", "failed to invoke, id: orders"));
        var client = _sidecar.CreateClient();

        var error = await Assert.ThrowsAsync<DaprApiException>(() =>
            client.InvokeMethodAsync(HttpMethod.Get, "orders", "api/orders/1", TestJsonContext.Default.Order));

        Assert.Equal("ERR_DIRECT_INVOKE", error.ErrorCode);
    }

    // Dapr docs: reference/api/actors_api#invoke-actor-method
    [Fact]
    public async Task InvokeActorMethodAsync_puts_json_and_reads_result()
    {
        _sidecar.RespondWith(ScriptedResponse.Json(200, "5"));
        var client = _sidecar.CreateClient();

        var total = await client.InvokeActorMethodAsync("CartActor", "cart 1", "AddLine",
            new OrderLine("sku", 5), TestJsonContext.Default.OrderLine, TestJsonContext.Default.Int32);

        var request = _sidecar.Single();
        Assert.Equal("PUT", request.Method);
        Assert.Equal("/v1.0/actors/CartActor/cart 1/method/AddLine", request.Path);
        Assert.Equal("sidecar-token", request.Header("dapr-api-token"));
        JsonAssert.Equal("""{"sku":"sku","quantity":5}""", request.Body);
        Assert.Equal(5, total);
    }

    // Dapr docs: reference/api/actors_api#invoke-actor-method (500 ERR_ACTOR_INVOKE_METHOD)
    [Fact]
    public async Task Actor_invocation_failure_is_a_typed_error()
    {
        _sidecar.RespondWith(ScriptedResponse.DaprError(500, "ERR_ACTOR_INVOKE_METHOD", "error invoke actor method"));
        var client = _sidecar.CreateClient();

        var error = await Assert.ThrowsAsync<DaprApiException>(() => client.InvokeActorMethodAsync("CartActor", "1", "Clear"));

        Assert.Equal("ERR_ACTOR_INVOKE_METHOD", error.ErrorCode);
    }

    // Dapr docs: reference/api/actors_api#get-actor-state
    [Fact]
    public async Task GetActorStateAsync_reads_value_and_ttl_and_maps_204_to_missing()
    {
        _sidecar.RespondWith(r => r.Path.EndsWith("/cart", StringComparison.Ordinal)
            ? ScriptedResponse.Json(200, """{"sku":"a","quantity":1}""", new Dictionary<string, string> { ["metadata.ttlExpireTime"] = "2025-03-01T10:02:00Z" })
            : ScriptedResponse.NoContent);
        var client = _sidecar.CreateClient();

        var found = await client.GetActorStateAsync("CartActor", "1", "cart");
        var typed = await client.GetActorStateAsync("CartActor", "1", "cart", TestJsonContext.Default.OrderLine);
        var missing = await client.GetActorStateAsync("CartActor", "1", "other");

        Assert.NotNull(found);
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 10, 2, 0, TimeSpan.Zero), found.TtlExpireTime);
        Assert.Equal(new OrderLine("a", 1), typed);
        Assert.Null(missing);
        Assert.Equal("GET", _sidecar.Requests[0].Method);
        Assert.Equal("/v1.0/actors/CartActor/1/state/cart", _sidecar.Requests[0].Path);
    }

    // Dapr docs: reference/api/actors_api#actor-state-transactions (bare JSON array)
    [Fact]
    public async Task ExecuteActorStateTransactionAsync_posts_a_bare_array()
    {
        var client = _sidecar.CreateClient();

        await client.ExecuteActorStateTransactionAsync("CartActor", "1",
        [
            ActorStateOperation.Upsert("cart", new OrderLine("a", 2), TestJsonContext.Default.OrderLine,
                new Dictionary<string, string> { ["ttlInSeconds"] = "60" }),
            ActorStateOperation.Delete("old"),
        ]);

        var request = _sidecar.Single();
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1.0/actors/CartActor/1/state", request.Path);
        Assert.Equal("application/json", request.ContentType);
        JsonAssert.Equal("""
            [{"operation":"upsert","request":{"key":"cart","value":{"sku":"a","quantity":2},"metadata":{"ttlInSeconds":"60"}}},
             {"operation":"delete","request":{"key":"old"}}]
            """, request.Body);
    }

    // Dapr docs: reference/api/actors_api#create-actor-reminder
    [Fact]
    public async Task RegisterActorReminderAsync_formats_timespans_as_go_durations_and_keeps_iso_strings()
    {
        var client = _sidecar.CreateClient();

        await client.RegisterActorReminderAsync("CartActor", "1", "expire", new ActorReminderRegistration
        {
            DueTime = TimeSpan.FromSeconds(5),
            Period = "R5/PT10S",
            Ttl = TimeSpan.FromHours(26) + TimeSpan.FromMilliseconds(7),
            Data = JsonDocument.Parse("""{"reason":"idle"}""").RootElement,
        });

        var request = _sidecar.Single();
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1.0/actors/CartActor/1/reminders/expire", request.Path);
        JsonAssert.Equal("""{"dueTime":"0h0m5s0ms","period":"R5/PT10S","ttl":"26h0m0s7ms","data":{"reason":"idle"}}""", request.Body);
    }

    // Dapr docs: reference/api/actors_api#create-actor-timer and #delete-actor-timer / #delete-actor-reminder
    [Fact]
    public async Task Timer_registration_and_unregistration_hit_the_timer_and_reminder_routes()
    {
        var client = _sidecar.CreateClient();

        await client.RegisterActorTimerAsync("CartActor", "1", "tick", new ActorTimerRegistration
        {
            Callback = "OnTick",
            DueTime = TimeSpan.Zero,
            Period = TimeSpan.FromMinutes(1),
            Data = JsonDocument.Parse("3").RootElement,
        });
        await client.UnregisterActorTimerAsync("CartActor", "1", "tick");
        await client.UnregisterActorReminderAsync("CartActor", "1", "expire");

        var requests = _sidecar.Requests;
        Assert.Equal(("POST", "/v1.0/actors/CartActor/1/timers/tick"), (requests[0].Method, requests[0].Path));
        JsonAssert.Equal("""{"dueTime":"0h0m0s0ms","period":"0h1m0s0ms","callback":"OnTick","data":3}""", requests[0].Body);
        Assert.Equal(("DELETE", "/v1.0/actors/CartActor/1/timers/tick"), (requests[1].Method, requests[1].Path));
        Assert.Equal(("DELETE", "/v1.0/actors/CartActor/1/reminders/expire"), (requests[2].Method, requests[2].Path));
        Assert.All(requests, r => Assert.Equal("sidecar-token", r.Header("dapr-api-token")));
    }

    // Dapr docs: reference/api/actors_api#create-actor-reminder (403 ERR_ACTOR_REMINDER_NON_HOSTED)
    [Fact]
    public async Task Reminder_for_a_non_hosted_type_is_a_typed_error()
    {
        _sidecar.RespondWith(ScriptedResponse.DaprError(403, "ERR_ACTOR_REMINDER_NON_HOSTED", "operation is not supported"));
        var client = _sidecar.CreateClient();

        var error = await Assert.ThrowsAsync<DaprApiException>(() =>
            client.RegisterActorReminderAsync("Other", "1", "r", new ActorReminderRegistration { DueTime = TimeSpan.FromSeconds(1) }));

        Assert.Equal(403, (int)error.StatusCode);
        Assert.Equal("ERR_ACTOR_REMINDER_NON_HOSTED", error.ErrorCode);
    }

    // Dapr docs: reference/api/actors_api#create-actor-reminder (dueTime/period/ttl formats)
    [Fact]
    public void DaprDuration_rejects_negative_timespans_and_blank_strings()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DaprDuration.FromTimeSpan(TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentException>(() => DaprDuration.FromString(" "));
        Assert.Equal("1h30m0s250ms", DaprDuration.FromTimeSpan(TimeSpan.FromMinutes(90) + TimeSpan.FromMilliseconds(250)).Value);
    }
}
