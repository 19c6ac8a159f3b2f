using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DaprOrders.Contracts;
using DaprOrders.EndToEnd.Tests.Infrastructure;

namespace DaprOrders.OperationsPage.Tests;

/// <summary>
/// The operations page served by Audit, against the whole system on the emulator. The browser test runs
/// tests/js/ops-page/ops-page.spec.mjs (Playwright + headless Chromium) and writes its screenshots to
/// TestResults/ops-page under the test output.
/// </summary>
public sealed class OperationsPageTests(ITestOutputHelper output)
{
    private const string JaegerUrl = "http://jaeger.example.test:16686";

    [Fact]
    public async Task An_operator_sees_orders_complete_and_replays_a_dead_lettered_event_through_the_page()
    {
        BrowserScript.AssertPrerequisites();
        await using var system = await OrderSystem.StartAsync(o =>
        {
            o.Output = output;
            o.Set(AppIds.Audit, "Audit:OperationsPage:Enabled", "true");
            o.Set(AppIds.Audit, "Audit:OperationsPage:JaegerUrl", JaegerUrl);
        });
        await using var control = await TestControlServer.StartAsync(system);
        var screenshots = Path.Combine(AppContext.BaseDirectory, "TestResults", "ops-page");
        Directory.CreateDirectory(screenshots);
        foreach (var old in Directory.EnumerateFiles(screenshots, "*.png"))
        {
            File.Delete(old);
        }

        var (exitCode, log) = await BrowserScript.RunAsync(Path.Combine("ops-page", "ops-page.spec.mjs"), new Dictionary<string, string>
        {
            ["OPS_URL"] = new Uri(system.Audit.BaseAddress!, "/ops/").ToString(),
            ["ORDERING_URL"] = system.Ordering.BaseAddress!.ToString(),
            ["INVENTORY_URL"] = system.Inventory.BaseAddress!.ToString(),
            ["CONTROL_URL"] = control.Address.ToString(),
            ["JAEGER_URL"] = JaegerUrl,
            ["SCREENSHOT_DIR"] = screenshots,
            ["OPERATOR_TOKEN"] = system.OperatorToken,
        }, TimeSpan.FromMinutes(5));
        output.WriteLine(log);

        Assert.True(exitCode == 0, $"the browser script failed (exit {exitCode}):{Environment.NewLine}{log}{Environment.NewLine}{system.DescribeTraffic()}");
        Assert.True(File.Exists(Path.Combine(screenshots, "operations-page.png")), "the script wrote no screenshot of the page");

        // What the page showed is what the system did: the replayed dead letter is Replayed and its order Completed.
        var deadLetters = (await system.Audit.GetFromJsonAsync<JsonArray>("deadletters"))!;
        var replayed = Assert.Single(deadLetters.OfType<JsonObject>(), d => d["type"]?.GetValue<string>() == EventTypes.OrderCreated);
        Assert.Equal("Replayed", replayed["status"]!.GetValue<string>());
        var orderId = replayed["orderId"]!.GetValue<string>();
        Assert.Equal("Completed", (await system.GetOrderAsync(orderId)).Status);
    }

    [Fact]
    public async Task The_page_is_not_served_unless_enabled_and_its_actions_need_the_operator_token()
    {
        await using (var disabled = await OrderSystem.StartAsync(o => o.Output = output))
        {
            using var page = await disabled.Audit.GetAsync("ops/");
            using var api = await disabled.Audit.GetAsync("ops/api/snapshot");
            Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        }

        await using var system = await OrderSystem.StartAsync(o =>
        {
            o.Output = output;
            o.Set(AppIds.Audit, "Audit:OperationsPage:Enabled", "true");
        });

        using (var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = system.Audit.BaseAddress })
        using (var bare = await noRedirects.GetAsync(new Uri("ops", UriKind.Relative)))
        {
            // The page's relative URLs need the trailing slash.
            Assert.Equal(HttpStatusCode.Redirect, bare.StatusCode);
            Assert.Equal("/ops/", bare.Headers.Location?.OriginalString);
        }

        using (var page = await system.Audit.GetAsync("ops/"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.Contains("data-testid=\"deadletters-table\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var sku = TestOrders.NewSku();
        await system.SetStockAsync(sku, 7);
        var snapshot = await Eventually.UntilAsync(
            () => system.Audit.GetFromJsonAsync<JsonObject>("ops/api/snapshot"),
            s => s!["stock"] is JsonArray stock && stock.Any(l => l!["sku"]!.GetValue<string>() == sku),
            "the new SKU in the snapshot's stock levels");
        Assert.Empty(snapshot!["problems"]!.AsArray());
        Assert.NotNull(snapshot["orderStats"]!["counts"]);
        Assert.NotNull(snapshot["latestOrders"]!["orders"]);

        // A cross-site form post carries no bearer token: nothing is replayed (not even looked up), and a wrong
        // token fares no better. The system's client sends the operator token and reaches the lookup.
        using var anonymous = new HttpClient { BaseAddress = system.Audit.BaseAddress };
        using var forged = await anonymous.PostAsync(new Uri("ops/api/deadletters/any-id/replay", UriKind.Relative), content: null);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal("application/problem+json", forged.Content.Headers.ContentType?.MediaType);
        using var request = new HttpRequestMessage(HttpMethod.Post, "ops/api/deadletters/any-id/replay");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not-the-operator-token");
        using var wrong = await anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        using var unknown = await system.Audit.PostAsync("ops/api/deadletters/any-id/replay", content: null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}
