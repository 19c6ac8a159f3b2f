using System.Net;
using System.Text.Json.Nodes;
using DaprOrders.Emulator.Tests.Infrastructure;

namespace DaprOrders.Emulator.Tests.PubSub;

// dapr/dapr release-1.17 pkg/api/http/http.go: bulk publish on /v1.0-alpha1/publish/bulk and /v1.0/publish/bulk (1.17).
public sealed class BulkPublishTests
{
    private static async Task<(EmulatorTestBed, TestApp)> StartAsync()
    {
        var app = await TestApp.StartAsync(a => a.Subscribe("""[{"pubsubname":"pubsub","topic":"orders","route":"/orders"}]"""));
        var bed = await EmulatorTestBed.StartAsync(new ResourceFolder().WithPubSub(), new Dictionary<string, TestApp?> { ["checkout"] = null, ["orders"] = app });
        return (bed, app);
    }

    [Theory]
    [InlineData("/v1.0-alpha1/publish/bulk/pubsub/orders")]
    [InlineData("/v1.0/publish/bulk/pubsub/orders")]
    public async Task Every_entry_is_wrapped_like_a_single_publish(string path)
    {
        var (bed, app) = await StartAsync();
        await using var scope = bed;

        var response = await bed.PostJsonAsync("checkout", path + "?metadata.cloudevent.type=bulk.type", """
            [{"entryId":"e1","event":"first text","contentType":"text/plain"},
             {"entryId":"e2","event":{"message":"x"},"contentType":"application/json","metadata":{"ttlInSeconds":"30"}},
             {"entryId":"e3","event":"aGVsbG8=","contentType":"application/octet-stream"},
             {"entryId":"e4","event":{"specversion":"1.0","id":"a","source":"s","type":"t","data":{}},"contentType":"application/cloudevents+json"}]
            """);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var events = (await app.WaitForDeliveriesAsync("/orders", 4)).Select(d => d.Json!.AsObject()).ToList();
        Assert.Contains(events, e => e["data"]?.ToJsonString() == "\"first text\"" && e["type"]!.GetValue<string>() == "com.dapr.event.sent");
        // Request metadata reaches only entries with their own metadata object (daprd quirk).
        var e2 = Assert.Single(events, e => e["data"]?.ToJsonString() == "{\"message\":\"x\"}");
        Assert.Equal("bulk.type", e2["type"]!.GetValue<string>());
        Assert.True(e2.ContainsKey("expiration"));
        Assert.Contains(events, e => e["data_base64"]?.GetValue<string>() == "aGVsbG8=");
        Assert.Contains(events, e => e["id"]!.GetValue<string>() == "a" && e["topic"]!.GetValue<string>() == "orders");
        Assert.Equal(4, events.Select(e => e["traceparent"]!.GetValue<string>()).Distinct().Count());
    }

    [Theory]
    [InlineData("""[{"entryId":"e1","event":"a","contentType":"text/plain"},{"entryId":"e1","event":"b","contentType":"text/plain"}]""")]
    [InlineData("""[{"event":"a","contentType":"text/plain"}]""")]
    [InlineData("""[{"entryId":"e1","event":{"a":1},"contentType":"text/plain"}]""")]
    public async Task Invalid_entries_are_400_events_ser(string body)
    {
        var (bed, _) = await StartAsync();
        await using var scope = bed;

        var response = await bed.PostJsonAsync("checkout", "/v1.0-alpha1/publish/bulk/pubsub/orders", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("ERR_PUBSUB_EVENTS_SER", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errorCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_pubsub_is_404()
    {
        var (bed, _) = await StartAsync();
        await using var scope = bed;

        var response = await bed.PostJsonAsync("checkout", "/v1.0-alpha1/publish/bulk/nope/orders", "[]");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
