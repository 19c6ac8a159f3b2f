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
        var (sidecar, app) = await OrderingApp.StartAsync();
        await using (sidecar)
        await using (app)
        {
            app.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            app.StartServer();
            using var client = app.CreateClient();

            Assert.Equal("127.0.0.1", client.BaseAddress?.Host);
            Assert.NotEqual(0, client.BaseAddress?.Port);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        }
    }

    [Fact]
    public async Task The_openapi_document_describes_the_public_api_only()
    {
        var (sidecar, app) = await OrderingApp.StartAsync();
        await using (sidecar)
        await using (app)
        {
            using var client = app.CreateClient();

            var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;

            var paths = document["paths"]!.AsObject().Select(p => p.Key).Order().ToList();
            Assert.Equal(["/orders", "/orders/stats", "/orders/{orderId}"], paths);
            Assert.NotNull(document["paths"]!["/orders"]!["post"]!["requestBody"]!["content"]!["application/cloudevents+json"]);
            Assert.Equal("SubmitOrder", (string?)document["paths"]!["/orders"]!["post"]!["operationId"]);
        }
    }

    [Fact]
    public async Task In_development_the_api_reference_page_renders_the_openapi_document_with_its_own_script()
    {
        var (sidecar, app) = await OrderingApp.StartAsync(new Dictionary<string, string?> { ["environment"] = "Development" });
        await using (sidecar)
        await using (app)
        {
            using var client = app.CreateClient();

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
    }

    [Fact]
    public async Task In_production_there_is_no_api_reference_page_but_the_openapi_document_stays()
    {
        var (sidecar, app) = await OrderingApp.StartAsync(new Dictionary<string, string?> { ["environment"] = "Production" });
        await using (sidecar)
        await using (app)
        {
            using var client = app.CreateClient();

            using var page = await client.GetAsync("/scalar/v1");
            Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
            using var document = await client.GetAsync("/openapi/v1.json");
            Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        }
    }

    [Theory]
    [InlineData(null, "0h0m10s0ms")]
    [InlineData("00:05:00", "0h5m0s0ms")]
    public async Task Daprd_is_told_to_deactivate_idle_order_actors_after_the_saga_setting(string? configured, string reported)
    {
        var settings = configured is null ? null : new Dictionary<string, string?> { ["Saga:ActorIdleTimeout"] = configured };
        var (sidecar, app) = await OrderingApp.StartAsync(settings);
        await using (sidecar)
        await using (app)
        {
            using var client = app.CreateClient();

            var config = JsonNode.Parse(await client.GetStringAsync("/dapr/config"))!;

            Assert.Equal(reported, (string?)config["actorIdleTimeout"]);
            Assert.Equal(["OrderProcess"], config["entities"]!.AsArray().Select(e => (string?)e));
        }
    }

    [Fact]
    public async Task Requests_beyond_the_rate_limit_are_429_problems()
    {
        var (sidecar, app) = await OrderingApp.StartAsync(new Dictionary<string, string?>
        {
            ["Ordering:RateLimit:PermitsPerSecond"] = "1",
            ["Ordering:RateLimit:Burst"] = "2",
        });
        await using (sidecar)
        await using (app)
        {
            using var client = app.CreateClient();

            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 5; i++)
            {
                using var response = await client.GetAsync("/orders/stats");
                statuses.Add(response.StatusCode);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                }
            }

            Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
            // The sidecar-facing routes are never limited.
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/dapr/subscribe")).StatusCode);
        }
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
        var (sidecar, app) = await OrderingApp.StartAsync(new Dictionary<string, string?>
        {
            ["Ordering:RateLimit:Enabled"] = "false",
            ["Ordering:RateLimit:PermitsPerSecond"] = "1",
            ["Ordering:RateLimit:Burst"] = "1",
        });
        await using (sidecar)
        await using (app)
        {
            using var client = app.CreateClient();

            for (var i = 0; i < 5; i++)
            {
                using var response = await client.GetAsync("/orders/stats");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }
    }
}
