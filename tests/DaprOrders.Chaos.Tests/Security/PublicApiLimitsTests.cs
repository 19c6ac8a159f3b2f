using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DaprOrders.Chaos.Harness;
using DaprOrders.Contracts;

namespace DaprOrders.Chaos.Tests.Security;

/// <summary>Ordering's public API with tiny limits: a token bucket of 5 per client refilled at 1/s, 1 KiB per event.</summary>
public sealed class TinyLimitsFixture : IAsyncLifetime
{
    public ChaosSystem System { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var options = new ChaosSystemOptions();
        options.Set(AppIds.Ordering, "Ordering:RateLimit:Burst", "5");
        options.Set(AppIds.Ordering, "Ordering:RateLimit:PermitsPerSecond", "1");
        options.Set(AppIds.Ordering, "Ordering:Intake:MaxEventBytes", "1024");
        System = await ChaosSystem.StartAsync(options);
    }

    public async Task DisposeAsync() => await System.DisposeAsync();
}

/// <summary>Rate limiting (429) and request size limits (413) of the public API, as problem details.</summary>
public sealed class PublicApiLimitsTests(TinyLimitsFixture fixture) : IClassFixture<TinyLimitsFixture>
{
    private HttpClient Ordering => fixture.System.Api(AppIds.Ordering);

    [Fact]
    public async Task A_burst_beyond_the_limit_gets_429_problem_details_with_retry_after()
    {
        // 40 requests at once against a bucket of 5 (refilled by 1 a second): most must be refused, even if they take seconds to arrive.
        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Ordering.GetAsync($"orders/{Guid.NewGuid()}")));
        try
        {
            var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
            Assert.True(refused.Count >= 20, $"only {refused.Count} of 40 refused");
            Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.TooManyRequests, HttpStatusCode.NotFound }));
            var first = refused[0];
            Assert.Equal("application/problem+json", first.Content.Headers.ContentType?.MediaType);
            Assert.Equal(429, JsonNode.Parse(await first.Content.ReadAsStringAsync())!["status"]!.GetValue<int>());
            Assert.True(first.Headers.RetryAfter is not null, "429 without Retry-After");
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Fact]
    public async Task An_event_beyond_the_configured_size_gets_413_problem_details_and_is_not_stored()
    {
        var submission = Hostile.HostileCase.ValidSubmission("too-big");
        submission["data"]!["note"] = new string('x', 2000);
        var body = submission.ToJsonString();

        // The bucket may still be empty from the burst test: wait for a permit instead of asserting on a 429.
        var watch = Stopwatch.StartNew();
        using var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        HttpResponseMessage response;
        while (true)
        {
            using var content = new StringContent(body, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json");
            response = await Ordering.PostAsync("orders", content);
            if (response.StatusCode != HttpStatusCode.TooManyRequests || watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                break;
            }

            response.Dispose();
            await ticks.WaitForNextTickAsync();
        }

        using (response)
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Empty(fixture.System.Broker.PublishedCounts);
    }
}
