using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DaprOrders.Emulator.Tests.Infrastructure;
using DaprOrders.Emulator.Resiliency;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DaprOrders.Emulator.Tests.Invocation;

// Wire notes 6 (targets.apps resiliency) and daprd's service invocation HTTP API (/v1.0/invoke/{appId}/method/...).
public sealed class ServiceInvocationTests
{
    [Fact]
    public async Task Requests_are_forwarded_with_verb_path_query_headers_and_body_and_the_response_is_relayed()
    {
        var target = await TestApp.StartAsync(a => a.Respond("PUT", "/orders/7", new TestResponse(201, "{\"ok\":true}") { Headers = { ["x-reply"] = "yes" } }));
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder(),
            new Dictionary<string, TestApp?> { ["checkout"] = null, ["ordering"] = target },
            configure: o => o.Apps.Single(a => a.AppId == "checkout").DaprApiToken = "caller-token");
        using var request = new HttpRequestMessage(HttpMethod.Put, bed.Sidecar("checkout", "/v1.0/invoke/ordering/method/orders/7?x=1"))
        {
            Content = new StringContent("{\"qty\":2}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-custom", "abc");
        request.Headers.Add("dapr-api-token", "caller-token");
        request.Headers.Add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

        var response = await bed.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("{\"ok\":true}", await response.Content.ReadAsStringAsync());
        Assert.Equal("yes", response.Headers.GetValues("x-reply").Single());
        var received = Assert.Single(target.Requests, r => r.Path == "/orders/7");
        Assert.Equal("PUT", received.Method);
        Assert.Equal("?x=1", received.QueryString);
        Assert.Equal("{\"qty\":2}", received.BodyText);
        Assert.Equal("abc", received.Header("x-custom"));
        Assert.Equal("checkout", received.Header("dapr-caller-app-id"));
        Assert.Null(received.Header("dapr-api-token")); // the caller's token is not forwarded
        Assert.StartsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-", received.Header("traceparent"), StringComparison.Ordinal);
        Assert.DoesNotContain("00f067aa0ba902b7", received.Header("traceparent"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dapr_app_id_header_form_reaches_the_same_app()
    {
        var target = await TestApp.StartAsync(a => a.Respond("GET", "/status", new TestResponse(200, "\"up\"")));
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder(), new Dictionary<string, TestApp?> { ["checkout"] = null, ["ordering"] = target });
        using var request = new HttpRequestMessage(HttpMethod.Get, bed.Sidecar("checkout", "/status"));
        request.Headers.Add("dapr-app-id", "ordering");

        var response = await bed.Http.SendAsync(request);

        Assert.Equal("\"up\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unknown_app_is_500_direct_invoke()
    {
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder(), new Dictionary<string, TestApp?> { ["checkout"] = null });

        var response = await bed.Http.GetAsync(bed.Sidecar("checkout", "/v1.0/invoke/nobody/method/x"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("ERR_DIRECT_INVOKE", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errorCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_target_apps_retry_policy_retries_matching_status_codes_and_relays_the_last_response()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var target = await TestApp.StartAsync(a => a
            .RespondInSequence("POST", "/pay", new TestResponse(503), new TestResponse(503), new TestResponse(200, "\"paid\""))
            .Respond("POST", "/bad", new TestResponse(400, "\"no\"")));
        await using var bed = await EmulatorTestBed.StartAsync(
            new ResourceFolder().Write("resiliency.yaml", """
                apiVersion: dapr.io/v1alpha1
                kind: Resiliency
                metadata:
                  name: invoke
                spec:
                  policies:
                    retries:
                      invocationRetry:
                        policy: constant
                        duration: 1s
                        maxRetries: 2
                        matching:
                          httpStatusCodes: "429,502,503,504"
                  targets:
                    apps:
                      payment:
                        retry: invocationRetry
                """),
            new Dictionary<string, TestApp?> { ["checkout"] = null, ["payment"] = target },
            clock);

        var pending = bed.PostJsonAsync("checkout", "/v1.0/invoke/payment/method/pay", "{}");
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            await target.WaitForDeliveriesAsync("/pay", attempt);
            await WaitForRetryTimerAsync(bed);
            await bed.AdvanceAsync(TimeSpan.FromSeconds(1));
        }

        var paid = await pending;
        var bad = await bed.PostJsonAsync("checkout", "/v1.0/invoke/payment/method/bad", "{}");

        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        Assert.Equal("\"paid\"", await paid.Content.ReadAsStringAsync());
        Assert.Equal([0, 1, 2], target.RequestsTo("/pay").Select(r => (r.ReceivedAt - clock.Start).TotalSeconds).ToArray());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode); // 400 is not in matching: relayed at once
        Assert.Single(target.RequestsTo("/bad"));
    }

    [Fact]
    public async Task Without_a_policy_connection_failures_get_daprs_built_in_three_retries_a_second_apart()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var gone = await TestApp.StartAsync();
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder(),
            new Dictionary<string, TestApp?> { ["checkout"] = null, ["payment"] = gone }, clock);
        await gone.DisposeAsync(); // the app stops listening after its sidecar connected

        var pending = bed.Http.GetAsync(bed.Sidecar("checkout", "/v1.0/invoke/payment/method/pay"));
        var policies = bed.Emulator.Services.GetRequiredService<ResiliencyPolicies>();
        for (var retry = 1; retry <= 3; retry++)
        {
            // Each retry's delay is on the fake clock: advance only once that retry's timer is registered.
            await Eventually.UntilAsync(() => Task.FromResult(policies.RetryWaitsStarted >= retry), $"retry {retry} to wait", timeout: EmulatorTestBed.Deadline);
            await bed.AdvanceAsync(TimeSpan.FromSeconds(1));
        }

        var response = await pending.WaitAsync(EmulatorTestBed.Deadline);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("ERR_DIRECT_INVOKE", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errorCode"]!.GetValue<string>());
    }

    private static async Task WaitForRetryTimerAsync(EmulatorTestBed bed)
    {
        var policies = bed.Emulator.Services.GetRequiredService<ResiliencyPolicies>();
        await Eventually.UntilAsync(() => Task.FromResult(policies.RetriesWaiting > 0), "a scheduled retry", timeout: EmulatorTestBed.Deadline);
    }
}
