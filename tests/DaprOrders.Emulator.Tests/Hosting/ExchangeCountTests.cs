using System.Net;
using System.Text.Json.Nodes;
using DaprOrders.Emulator.Diagnostics;
using DaprOrders.Emulator.Tests.DotNetSdk;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.Emulator.Tests.Hosting;

/// <summary>
/// The emulator's exchange counts (issue 20): each call an app makes to its sidecar, by API, method and transport,
/// and each request the sidecar makes into the app, by kind; read in process and on GET /emulator/v1.0/exchanges.
/// </summary>
public sealed class ExchangeCountTests
{
    private sealed record Order(int Qty);

    [Fact]
    public async Task Calls_through_both_doors_and_deliveries_into_the_app_are_counted_by_api_method_and_transport()
    {
        await using var sdk = await SdkTestBed.StartAsync();
        var ledger = sdk.Bed.Emulator.Services.GetRequiredService<ExchangeLedger>();
        var connected = Rows(ledger.Snapshot());

        await sdk.Client.SaveStateAsync("statestore", "order-1", new Order(1));
        await sdk.Client.GetStateAndETagAsync<Order>("statestore", "order-1");
        using var httpGet = await sdk.Bed.Http.GetAsync(sdk.Bed.Sidecar(SdkTestBed.AppId, "/v1.0/state/statestore/order-1"));
        using var httpDelete = await sdk.Bed.Http.DeleteAsync(sdk.Bed.Sidecar(SdkTestBed.AppId, "/v1.0/state/statestore/order-1"));
        await sdk.Client.PublishEventAsync("pubsub", "orders", new Order(2));
        using var httpPublish = await sdk.Bed.PublishJsonAsync(SdkTestBed.AppId, "orders", """{"Qty":3}""");
        await sdk.App.WaitForDeliveriesAsync("/orders", 2);
        await sdk.Bed.WaitForIdleAsync();
        using var unknown = await sdk.Bed.Http.GetAsync(sdk.Bed.Sidecar(SdkTestBed.AppId, "/v1.0/nothing-here"));

        // Connecting the app: daprd reads /dapr/config, then /dapr/subscribe (probes, not work).
        Assert.Equal(["sdkapp delivery probe config http 1", "sdkapp delivery probe subscribe http 1"], connected);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(
            [
                "sdkapp call publish event grpc 1",
                "sdkapp call publish event http 1",
                "sdkapp call state delete http 1",
                "sdkapp call state get grpc 1",
                "sdkapp call state get http 1",
                "sdkapp call state save grpc 1",
                "sdkapp call unmatched any http 1",
                "sdkapp delivery probe config http 1",
                "sdkapp delivery probe subscribe http 1",
                "sdkapp delivery pubsub event http 2",
            ],
            Rows(ledger.Snapshot()));
    }

    [Fact]
    public async Task The_diagnostics_route_serves_the_counts_of_every_app_and_is_not_counted_itself()
    {
        await using var sdk = await SdkTestBed.StartAsync();
        await sdk.Client.SaveStateAsync("statestore", "order-1", new Order(1));

        var first = JsonNode.Parse(await sdk.Bed.Http.GetStringAsync(sdk.Bed.Sidecar(SdkTestBed.AppId, "/emulator/v1.0/exchanges")))!;
        var second = JsonNode.Parse(await sdk.Bed.Http.GetStringAsync(sdk.Bed.Sidecar(SdkTestBed.AppId, "/emulator/v1.0/exchanges")))!;

        Assert.True(JsonNode.DeepEquals(first, second), $"{first.ToJsonString()} then {second.ToJsonString()}");
        Assert.Contains(first["exchanges"]!.AsArray(), e => JsonNode.DeepEquals(e, JsonNode.Parse(
            """{"appId":"sdkapp","direction":"call","api":"state","method":"save","transport":"grpc","count":1}""")));
    }

    private static List<string> Rows(IReadOnlyList<ExchangeCount> counts) =>
        [.. counts.Select(c => $"{c.AppId} {c.Direction} {c.Api} {c.Method} {c.Transport} {c.Count}")];
}
