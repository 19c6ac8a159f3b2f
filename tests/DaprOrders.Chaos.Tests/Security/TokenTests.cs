using System.Net;
using DaprOrders.Chaos.Harness;
using DaprOrders.Chaos.Run;
using DaprOrders.Contracts;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Chaos.Tests.Security;

/// <summary>
/// Both Dapr tokens on, as the Helm chart deploys them: every sidecar requires DAPR_API_TOKEN from its app and sends
/// APP_API_TOKEN into it; every service is given both. A saga still completes end to end, the sidecar refuses a
/// caller without the token, and no token value appears in any log line of the emulator or the services, even at
/// Trace level (HttpClient logs headers there).
/// </summary>
public sealed class TokenTests
{
    private const string ApiToken = "api-token-7c3b1e9f0d";
    private const string AppToken = "app-token-e41a22b7c9";

    [Fact]
    public async Task With_both_tokens_a_saga_completes_and_no_token_reaches_any_log()
    {
        var options = new ChaosSystemOptions { DaprApiToken = ApiToken, AppApiToken = AppToken, MinimumLogLevel = LogLevel.Trace };
        await using var system = await ChaosSystem.StartAsync(options);
        var api = new SystemApi(system);
        await api.SetStockAsync("token-sku", 5);

        var (status, orderId) = await api.SubmitAsync(SystemApi.SubmittedEvent("urn:tokens", "t-1", "customer-1", "EUR", [("token-sku", 2, 700)]));
        Assert.Equal(HttpStatusCode.Accepted, status);
        await system.DriveUntilIdleAsync(TimeSpan.FromMinutes(5));

        var order = await api.GetOrderAsync(orderId!);
        Assert.Equal("Completed", order!.Status);
        Assert.Equal(1, await api.CountNotificationsAsync(orderId!));
        // Available, reserved (final unless cancelled), committed.
        Assert.Equal((3, 2, 0), await api.GetStockAsync("token-sku"));

        // The sidecar API itself: a caller without the token (anything but the app in its pod) is refused.
        using var intruder = new HttpClient { BaseAddress = system.Emulator[AppIds.Ordering].HttpEndpoint };
        using var refused = await intruder.GetAsync("v1.0/state/statestore/anything");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        Assert.True(system.Logs.Lines > 100, $"only {system.Logs.Lines} log lines captured: the check would prove nothing");
        Assert.Empty(system.Logs.SecretHits);
    }
}
