using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace DaprOrders.Chaos.Tests.Hostile;

/// <summary>
/// The hostile-input corpus (Hostile/corpus/*.json) against the running system: every case gets its documented 4xx
/// as application/problem+json — or, on a sidecar-facing topic route with the right token, the Dapr delivery
/// protocol's answer (200 {"status":"DROP"} for a delivery that can never be processed, so daprd dead-letters it
/// instead of retrying) — never a 5xx, and no case changes any state store or publishes anything.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class HostileInputTests(HostileSystemFixture fixture)
{
    public static TheoryData<string> CaseNames() => [.. HostileCase.All.Keys];

    [Fact]
    public void The_corpus_covers_the_intake_and_every_kind_of_sidecar_facing_route()
    {
        var cases = HostileCase.All.Values.ToList();
        Assert.True(cases.Count >= 50, $"only {cases.Count} cases");
        Assert.True(cases.Count(c => c.Path == "/orders") >= 50);
        foreach (var app in new[] { "ordering", "inventory", "payment", "notification", "audit" })
        {
            Assert.Contains(cases, c => c.App == app && c.Path.StartsWith("/events/", StringComparison.Ordinal) && c.Token == "none");
            Assert.Contains(cases, c => c.App == app && c.Path == "/dapr/subscribe" && c.Token == "none");
        }

        Assert.Contains(cases, c => c.Path.StartsWith("/actors/", StringComparison.Ordinal) && c.Token == "none");
        Assert.Contains(cases, c => c.Path == "/dapr/config" && c.Token == "none");
        foreach (var status in new[] { 400, 401, 404, 409, 413, 415 })
        {
            Assert.Contains(cases, c => c.Expect.Status == status);
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Hostile_request_gets_its_documented_answer_and_changes_nothing(string name)
    {
        var hostile = HostileCase.All[name];
        var before = fixture.Snapshot();

        using var request = new HttpRequestMessage(new HttpMethod(hostile.Method), hostile.Path.TrimStart('/'));
        if (hostile.Method is "POST" or "PUT" || hostile.Body is not null || hostile.Generate is not null)
        {
            request.Content = new ByteArrayContent(hostile.BodyBytes());
            if (hostile.ContentType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(hostile.ContentType);
            }
        }

        // Large bodies ask first: Kestrel refuses by Content-Length before the client sends megabytes it will not read.
        if (request.Content?.Headers.ContentLength > 1024 * 1024)
        {
            request.Headers.ExpectContinue = true;
        }

        foreach (var (header, value) in hostile.Headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        var token = hostile.Token switch
        {
            "none" => null,
            "wrong" => "not-" + HostileSystemFixture.AppToken,
            _ => HostileSystemFixture.AppToken,
        };
        if (token is not null && hostile.Path != "/orders")
        {
            request.Headers.Add("dapr-api-token", token);
        }

        using var response = await fixture.System.Api(hostile.App).SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        Assert.True(status < 500, $"{name}: {status} {body}");
        Assert.True(status == hostile.Expect.Status, $"{name}: expected {hostile.Expect.Status}, got {status} {body}");
        if (hostile.Expect.Problem)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonNode.Parse(body)!;
            Assert.Equal(status, problem["status"]?.GetValue<int>());
            Assert.False(string.IsNullOrEmpty(problem["title"]?.GetValue<string>()), body);
        }

        if (hostile.Expect.TopicStatus is { } topicStatus)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(topicStatus, JsonNode.Parse(body)!["status"]?.GetValue<string>());
        }

        Assert.Equal(before, fixture.Snapshot());
    }
}
