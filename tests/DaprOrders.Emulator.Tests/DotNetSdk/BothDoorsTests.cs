using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace DaprOrders.Emulator.Tests.DotNetSdk;

/// <summary>
/// One core, two doors: what the .NET SDK writes over gRPC reads back over HTTP with the same ETag and the reverse,
/// and a publish over gRPC reaches a subscriber as the same CloudEvent an HTTP publish gives.
/// </summary>
public sealed class BothDoorsTests
{
    private sealed record Order(int Qty);

    [Fact]
    public async Task A_value_saved_over_grpc_reads_back_over_http_with_the_same_etag()
    {
        await using var sdk = await SdkTestBed.StartAsync();

        await sdk.Client.SaveStateAsync("statestore", "order-1", new Order(1));
        var (_, etag) = await sdk.Client.GetStateAndETagAsync<Order>("statestore", "order-1");
        using var http = await sdk.Bed.Http.GetAsync(sdk.Bed.Sidecar(SdkTestBed.AppId, "/v1.0/state/statestore/order-1"));

        Assert.Equal(HttpStatusCode.OK, http.StatusCode);
        Assert.Equal(etag, http.Headers.ETag?.Tag ?? http.Headers.GetValues("ETag").Single());
        Assert.Equal(new Order(1), await http.Content.ReadFromJsonAsync<Order>());
    }

    [Fact]
    public async Task A_value_saved_over_http_reads_back_over_grpc_with_the_same_etag()
    {
        await using var sdk = await SdkTestBed.StartAsync();

        using var save = await sdk.Bed.PostJsonAsync(SdkTestBed.AppId, "/v1.0/state/statestore", """[{"key":"order-2","value":{"Qty":2}}]""");
        using var http = await sdk.Bed.Http.GetAsync(sdk.Bed.Sidecar(SdkTestBed.AppId, "/v1.0/state/statestore/order-2"));
        var (value, etag) = await sdk.Client.GetStateAndETagAsync<Order>("statestore", "order-2");

        Assert.Equal(HttpStatusCode.NoContent, save.StatusCode);
        Assert.Equal(new Order(2), value);
        Assert.Equal(http.Headers.GetValues("ETag").Single(), etag);
    }

    [Fact]
    public async Task An_etag_from_one_door_guards_a_write_through_the_other()
    {
        await using var sdk = await SdkTestBed.StartAsync();
        await sdk.Client.SaveStateAsync("statestore", "k", new Order(1));
        var (_, etag) = await sdk.Client.GetStateAndETagAsync<Order>("statestore", "k");

        using var fresh = await sdk.Bed.PostJsonAsync(SdkTestBed.AppId, "/v1.0/state/statestore", $$"""[{"key":"k","value":{"Qty":2},"etag":"{{etag}}"}]""");
        using var stale = await sdk.Bed.PostJsonAsync(SdkTestBed.AppId, "/v1.0/state/statestore", $$"""[{"key":"k","value":{"Qty":3},"etag":"{{etag}}"}]""");

        Assert.Equal(HttpStatusCode.NoContent, fresh.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.False(await sdk.Client.TrySaveStateAsync("statestore", "k", new Order(4), etag));
        Assert.Equal(new Order(2), await sdk.Client.GetStateAsync<Order>("statestore", "k"));
    }

    [Fact]
    public async Task A_publish_over_grpc_and_over_http_deliver_the_same_cloudevent()
    {
        await using var sdk = await SdkTestBed.StartAsync();

        await sdk.Client.PublishEventAsync("pubsub", "orders", new { orderId = 7, lines = new[] { "a", "b" } });
        await sdk.App.WaitForDeliveriesAsync("/orders", 1);
        using var http = await sdk.Bed.PublishJsonAsync(SdkTestBed.AppId, "orders", """{"orderId":7,"lines":["a","b"]}""");
        var delivered = await sdk.App.WaitForDeliveriesAsync("/orders", 2);

        Assert.Equal(HttpStatusCode.NoContent, http.StatusCode);
        var (viaGrpc, viaHttp) = (delivered[0].Json!.AsObject(), delivered[1].Json!.AsObject());
        // id, time and the trace context are per publish: daprd starts a new span for each call on either door.
        string[] perPublish = ["id", "time", "traceid", "traceparent"];
        var compared = viaGrpc.Select(p => p.Key).Union(viaHttp.Select(p => p.Key)).Except(perPublish).ToList();
        Assert.Contains("data", compared);
        Assert.Contains("datacontenttype", compared);
        foreach (var field in compared)
        {
            Assert.True(JsonNode.DeepEquals(viaGrpc[field], viaHttp[field]), $"{field}: gRPC {viaGrpc[field]?.ToJsonString()} vs HTTP {viaHttp[field]?.ToJsonString()}");
        }

        foreach (var field in perPublish)
        {
            Assert.True(viaGrpc.ContainsKey(field) && viaHttp.ContainsKey(field), $"{field} missing from one of the envelopes");
        }

        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-01$", viaGrpc["traceparent"]!.GetValue<string>());
        Assert.NotEqual(viaGrpc["id"]!.GetValue<string>(), viaHttp["id"]!.GetValue<string>());
    }
}
