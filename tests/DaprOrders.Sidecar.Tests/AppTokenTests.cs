using System.Net;
using System.Text;
using System.Text.Json;
using DaprOrders.Sidecar.Actors;
using DaprOrders.Sidecar.AppCallbacks;
using DaprOrders.Sidecar.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.Sidecar.Tests;

public sealed class AppTokenTests : IAsyncLifetime
{
    private const string AppToken = "app-token-123";
    private int _handled;
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _app = await TestApp.StartAsync(
            builder =>
            {
                builder.Services.AddDaprSidecar(o =>
                {
                    o.HttpEndpoint = new Uri("http://127.0.0.1:1");
                    o.AppApiToken = AppToken;
                });
                builder.Services.AddDaprActors(o => o.RegisterActor<CounterActor>());
            },
            app =>
            {
                app.MapPost("/events/orders", (CloudEvent<Order> e) =>
                    {
                        Interlocked.Increment(ref _handled);
                        return TopicResponse.Success();
                    })
                    .WithTopic("orderpubsub", "orders");
                app.MapGet("/internal/ping", () => "pong").RequireDaprAppToken();
                app.MapGet("/api/orders", () => "public");
                app.MapDaprSubscribeHandler();
                app.MapDaprActors();
            });
        _http = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
    }

    // Dapr docs: operations/security/app-api-token (every sidecar → app call carries dapr-api-token)
    [Theory]
    [InlineData("GET", "/dapr/subscribe")]
    [InlineData("GET", "/dapr/config")]
    [InlineData("POST", "/events/orders")]
    [InlineData("PUT", "/actors/CounterActor/1/method/Increment")]
    [InlineData("PUT", "/actors/CounterActor/1/method/remind/r")]
    [InlineData("PUT", "/actors/CounterActor/1/method/timer/t")]
    [InlineData("DELETE", "/actors/CounterActor/1")]
    [InlineData("GET", "/internal/ping")]
    public async Task Sidecar_facing_routes_answer_401_problem_details_without_the_token(string method, string path)
    {
        using var missing = await SendAsync(method, path, token: null);
        using var wrong = await SendAsync(method, path, token: "app-token-12");

        foreach (var response in new[] { missing, wrong })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(401, JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32());
            Assert.DoesNotContain(AppToken, body, StringComparison.Ordinal);
        }

        Assert.Equal(0, _handled);
    }

    // Dapr docs: operations/security/app-api-token
    [Fact]
    public async Task Sidecar_facing_routes_accept_the_right_token()
    {
        using var subscribe = await SendAsync("GET", "/dapr/subscribe", AppToken);
        using var config = await SendAsync("GET", "/dapr/config", AppToken);
        using var delivery = await SendAsync("POST", "/events/orders", AppToken);
        using var ping = await SendAsync("GET", "/internal/ping", AppToken);

        Assert.Equal(HttpStatusCode.OK, subscribe.StatusCode);
        Assert.Equal(HttpStatusCode.OK, config.StatusCode);
        Assert.Equal(HttpStatusCode.OK, delivery.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        Assert.Equal(1, _handled);
    }

    // Dapr docs: operations/security/app-api-token (only sidecar → app calls carry the token)
    [Fact]
    public async Task Public_endpoints_do_not_require_the_token()
    {
        using var response = await SendAsync("GET", "/api/orders", token: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("public", await response.Content.ReadAsStringAsync());
    }

    // Dapr docs: operations/security/app-api-token (APP_API_TOKEN must always be read)
    [Fact]
    public async Task Sidecar_facing_routes_refuse_to_run_without_AddDaprSidecar_instead_of_running_unprotected()
    {
        await using var app = await TestApp.StartAsync(_ => { }, a => a.MapDaprSubscribeHandler());
        using var http = app.GetTestClient();

        // TestServer surfaces the unhandled exception; a real server answers 500.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => http.GetAsync(new Uri("/dapr/subscribe", UriKind.Relative)));

        Assert.Contains("AddDaprSidecar", error.Message, StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> SendAsync(string method, string path, string? token)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT")
        {
            request.Content = new StringContent("""{"id":"1","specversion":"1.0","data":{"orderId":1,"amount":1}}""", Encoding.UTF8,
                "application/cloudevents+json");
        }

        if (token is not null)
        {
            request.Headers.Add("dapr-api-token", token);
        }

        return _http.SendAsync(request);
    }

    public sealed class CounterActor : Actor
    {
        public Task<int> Increment() => Task.FromResult(1);
    }
}
