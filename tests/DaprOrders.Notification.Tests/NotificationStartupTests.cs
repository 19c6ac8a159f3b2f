using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;

namespace DaprOrders.Notification.Tests;

/// <summary>What the service checks and describes before any sidecar is involved.</summary>
public sealed class NotificationStartupTests
{
    [Fact]
    public async Task Webhook_channel_without_a_binding_name_fails_at_startup()
    {
        await using var app = new ConfiguredNotification(new Dictionary<string, string?> { ["Notification:Channel"] = "webhook" });
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.IsType<OptionsValidationException>(error.GetBaseException());
    }

    [Theory]
    [InlineData("Notification:ClaimTimeout", "00:00:00.5", "ClaimTimeout")]
    [InlineData("Notification:ClaimTimeout", "02:00:00", "ClaimTimeout")]
    [InlineData("Notification:RecentLimit", "0", "RecentLimit")]
    public async Task A_setting_outside_its_range_fails_at_startup_naming_it(string key, string value, string member)
    {
        await using var app = new ConfiguredNotification(new Dictionary<string, string?> { [key] = value });
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        var validation = Assert.IsType<OptionsValidationException>(error.GetBaseException());
        Assert.Contains(validation.Failures, f => f.Contains(member, StringComparison.Ordinal));
    }

    /// <summary>The operator credential of every service (DaprOrders.ServiceDefaults) is checked at start, like its own settings.</summary>
    [Theory]
    [InlineData("OperatorAccess:Token", "short-token", "OperatorAccess:Token")]
    [InlineData("OperatorAccess:Jwt:Authority", "http://login.example.com/realm", "OperatorAccess:Jwt:Authority")]
    [InlineData("OperatorAccess:Jwt:Authority", "https://login.example.com/realm", "OperatorAccess:Jwt:Audience")]
    public async Task A_half_configured_operator_credential_fails_at_startup_naming_the_setting(string key, string value, string setting)
    {
        await using var app = new ConfiguredNotification(new Dictionary<string, string?> { [key] = value });
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        var validation = Assert.IsType<OptionsValidationException>(error.GetBaseException());
        Assert.Contains(validation.Failures, f => f.StartsWith(setting, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_complete_jwt_issuer_or_a_long_token_starts_the_service()
    {
        await using var jwt = new ConfiguredNotification(new Dictionary<string, string?>
        {
            ["OperatorAccess:Jwt:Authority"] = "https://login.example.com/realm",
            ["OperatorAccess:Jwt:Audience"] = "daprorders",
        });
        using var jwtClient = jwt.CreateClient();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await jwtClient.GetAsync("/healthz")).StatusCode);

        await using var token = new ConfiguredNotification(new Dictionary<string, string?> { ["OperatorAccess:Token"] = "a-token-of-sixteen" });
        using var tokenClient = token.CreateClient();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await tokenClient.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Api_is_described_in_openapi_without_the_sidecar_endpoints()
    {
        await using var app = new ConfiguredNotification(new Dictionary<string, string?>());
        using var client = app.CreateClient();

        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;
        var path = Assert.Single(document.GetProperty("paths").EnumerateObject());
        Assert.Equal("/notifications", path.Name);
        Assert.Equal("ListNotifications", path.Value.GetProperty("get").GetProperty("operationId").GetString());
    }

    private sealed class ConfiguredNotification(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        }
    }
}
