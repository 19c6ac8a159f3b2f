using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using DaprOrders.Audit.Tests.Infrastructure;
using DaprOrders.Contracts;
using DaprOrders.Testing;

namespace DaprOrders.Audit.Tests;

/// <summary>
/// Replay and discard change state outside the saga, so they need the operator credential (the Operator policy of
/// DaprOrders.ServiceDefaults): 401 without one, 403 with a wrong one, and nothing happens in either case.
/// </summary>
public sealed class OperatorAccessTests
{
    private const string OperatorToken = AuditService.OperatorToken;

    /// <summary>Both groups of operator endpoints: the dead-letter API and the operations page's actions.</summary>
    public static TheoryData<string, string> OperatorEndpoints() => new()
    {
        { "/deadletters/e-1", "replay" },
        { "/deadletters/e-1", "discard" },
        { "/ops/api/deadletters/e-1", "replay" },
        { "/ops/api/deadletters/e-1", "discard" },
    };

    [Theory]
    [MemberData(nameof(OperatorEndpoints))]
    public async Task Operator_endpoint_answers_401_without_a_credential_403_with_a_wrong_one_and_acts_with_the_right_one(string resource, string action)
    {
        await using var bed = (await StartAsync(new() { ["Audit:OperationsPage:Enabled"] = "true" })).Bed;
        using var operatorClient = ClientOf(bed, OperatorToken);
        await bed.DeliverAsync("/events/deadletters", AuditService.CloudEvent("e-1", Topics.OrderCreated, EventTypes.OrderCreated, "o-1"));
        var path = $"{resource}/{action}";

        using var anonymous = ClientOf(bed, token: null);
        using (var response = await anonymous.PostAsync(path, content: null))
        {
            await OperatorRefusal.AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        }

        using var wrong = ClientOf(bed, "not-the-operator-token");
        using (var response = await wrong.PostAsync(path, content: null))
        {
            await OperatorRefusal.AssertProblemAsync(response, HttpStatusCode.Forbidden);
        }

        // Neither refused call did anything.
        Assert.Empty(await bed.ReplayedToOrderCreatedAsync());
        Assert.Equal("Pending", await StatusOfAsync(operatorClient));

        using (var response = await operatorClient.PostAsync(path, content: null))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(action == "replay" ? "Replayed" : "Discarded", await StatusOfAsync(operatorClient));
    }

    [Fact]
    public async Task Every_state_changing_endpoint_outside_the_sidecar_callbacks_requires_the_operator_policy()
    {
        await using var bed = (await StartAsync(new() { ["Audit:OperationsPage:Enabled"] = "true" })).Bed;

        Assert.Equal(4, OperatorEndpointCoverage.StateChangingEndpoints(bed.Services).Count);
        Assert.Empty(OperatorEndpointCoverage.WithoutOperatorPolicy(bed.Services));
    }

    [Fact]
    public async Task Without_a_configured_token_no_caller_is_an_operator()
    {
        await using var bed = (await StartAsync(new() { ["OperatorAccess:Token"] = "" })).Bed;
        using var client = ClientOf(bed, OperatorToken);
        await bed.DeliverAsync("/events/deadletters", AuditService.CloudEvent("e-1", Topics.OrderCreated, EventTypes.OrderCreated, "o-1"));

        using var response = await client.PostAsync("/deadletters/e-1/discard", content: null);

        await OperatorRefusal.AssertProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal("Pending", await StatusOfAsync(client));
    }

    [Fact]
    public async Task Reading_dead_letters_needs_no_operator_credential()
    {
        await using var bed = (await StartAsync()).Bed;
        using var client = ClientOf(bed, token: null);

        using var response = await client.GetAsync("/deadletters");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static Task<(ServiceOnEmulator<Program> Bed, Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock)> StartAsync(
        Dictionary<string, string?>? settings = null) =>
        AuditService.StartAsync(settings);

    private static HttpClient ClientOf(ServiceOnEmulator<Program> bed, string? token)
    {
        var client = new HttpClient { BaseAddress = bed.Client.BaseAddress };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    private static async Task<string?> StatusOfAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/deadletters/e-1");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString();
    }
}
