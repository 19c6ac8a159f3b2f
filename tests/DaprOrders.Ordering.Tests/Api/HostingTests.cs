using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DaprOrders.Ordering.Api;
using DaprOrders.Ordering.Tests.Infrastructure;

namespace DaprOrders.Ordering.Tests.Api;

public sealed class HostingTests
{
    [Fact]
    public async Task The_service_runs_on_kestrel_with_settings_from_configuration()
    {
        await using var host = await OrderingHost.StartAsync();
        // ServiceOnEmulator runs it on Kestrel at a free loopback port, as daprd's app channel reaches it.
        var client = host.Client;

        Assert.Equal("127.0.0.1", client.BaseAddress?.Host);
        Assert.NotEqual(0, client.BaseAddress?.Port);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_public_api_only()
    {
        await using var host = await OrderingHost.StartAsync();
        var client = host.Client;

        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;

        var paths = document["paths"]!.AsObject().Select(p => p.Key).Order().ToList();
        Assert.Equal(["/orders", "/orders/stats", "/orders/{orderId}"], paths);
        Assert.NotNull(document["paths"]!["/orders"]!["post"]!["requestBody"]!["content"]!["application/cloudevents+json"]);
        Assert.Equal("SubmitOrder", (string?)document["paths"]!["/orders"]!["post"]!["operationId"]);
    }

    [Fact]
    public async Task In_development_the_api_reference_page_renders_the_openapi_document_with_its_own_script()
    {
        await using var host = await OrderingHost.StartAsync(new Dictionary<string, string?> { ["environment"] = "Development" });
        var client = host.Client;

        using var page = await client.GetAsync("/scalar/v1");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("openapi/v1.json", html, StringComparison.Ordinal);

        // The page's script comes from the service itself, not a CDN: the reference works offline.
        var scripts = System.Text.RegularExpressions.Regex.Matches(html, "<script[^>]+src=\"([^\"]+)\"")
            .Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            var url = new Uri(new Uri(client.BaseAddress!, "/scalar/v1"), script);
            Assert.Equal(client.BaseAddress!.Authority, url.Authority);
            using var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("javascript", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task In_production_there_is_no_api_reference_page_but_the_openapi_document_stays()
    {
        await using var host = await OrderingHost.StartAsync(new Dictionary<string, string?> { ["environment"] = "Production" });
        var client = host.Client;

        using var page = await client.GetAsync("/scalar/v1");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        using var document = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
    }

    [Theory]
    [InlineData(null, "0h0m10s0ms")]
    [InlineData("00:05:00", "0h5m0s0ms")]
    public async Task Daprd_is_told_to_deactivate_idle_order_actors_after_the_saga_setting(string? configured, string reported)
    {
        var settings = configured is null ? null : new Dictionary<string, string?> { ["Saga:ActorIdleTimeout"] = configured };
        await using var host = await OrderingHost.StartAsync(settings);

        using var response = await host.SendAsSidecarAsync(HttpMethod.Get, "/dapr/config");
        var config = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(reported, (string?)config["actorIdleTimeout"]);
        Assert.Equal(["OrderProcess"], config["entities"]!.AsArray().Select(e => (string?)e));
    }

    [Fact]
    public async Task Requests_beyond_the_rate_limit_are_429_problems()
    {
        await using var host = await OrderingHost.StartAsync(new Dictionary<string, string?>
        {
            ["Ordering:RateLimit:PermitsPerSecond"] = "1",
            ["Ordering:RateLimit:Burst"] = "2",
        });
        var client = host.Client;

        // Twenty requests at once against a bucket of two that refills one per second: even spread over several
        // seconds by a loaded machine, most are refused. The query is invalid so that no request waits on the
        // sidecar; the limiter runs before validation, so each still takes a token.
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.GetAsync("/orders?limit=501")));
        var statuses = responses.Select(r => r.StatusCode).ToList();
        foreach (var response in responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests))
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        foreach (var response in responses)
        {
            response.Dispose();
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.Contains(HttpStatusCode.BadRequest, statuses);
        // The sidecar-facing routes are never limited.
        using var subscriptions = await host.SendAsSidecarAsync(HttpMethod.Get, "/dapr/subscribe");
        Assert.Equal(HttpStatusCode.OK, subscriptions.StatusCode);
    }

    [Theory]
    [InlineData(1, 1, 1000)]
    [InlineData(4, 1, 250)]
    [InlineData(15, 1, 66.6667)]
    [InlineData(25, 2, 80)]
    [InlineData(2000, 200, 100)]
    public void The_bucket_refills_at_exactly_the_configured_rate(int permitsPerSecond, int tokens, double periodMs)
    {
        var (tokensPerPeriod, period) = ApiRateLimiting.Refill(permitsPerSecond);

        Assert.Equal(tokens, tokensPerPeriod);
        Assert.Equal(periodMs, period.TotalMilliseconds, precision: 3);
        Assert.Equal(permitsPerSecond, tokensPerPeriod / period.TotalSeconds, precision: 3);
    }

    [Fact]
    public async Task The_rate_limit_can_be_disabled()
    {
        await using var host = await OrderingHost.StartAsync(new Dictionary<string, string?>
        {
            ["Ordering:RateLimit:Enabled"] = "false",
            ["Ordering:RateLimit:PermitsPerSecond"] = "1",
            ["Ordering:RateLimit:Burst"] = "1",
        });
        var client = host.Client;

        for (var i = 0; i < 5; i++)
        {
            using var response = await client.GetAsync("/orders/stats");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
