using System.Net;
using System.Text.Json.Nodes;
using DaprOrders.Emulator.Tests.Infrastructure;

namespace DaprOrders.Emulator.Tests.PubSub;

// components-contrib release-1.17 pubsub/envelope.go (NewCloudEventsEnvelope / FromCloudEvent) and
// dapr/dapr release-1.17 pkg/runtime/subscription/postman/http/http.go (delivery request).
public sealed class PublishEnvelopeTests
{
    private const string Subscription = """[{"pubsubname":"pubsub","topic":"orders","route":"/orders"}]""";

    private static async Task<(EmulatorTestBed Bed, TestApp App)> StartAsync()
    {
        var app = await TestApp.StartAsync(a => a.Subscribe(Subscription));
        var bed = await EmulatorTestBed.StartAsync(new ResourceFolder().WithPubSub(), new Dictionary<string, TestApp?> { ["checkout"] = null, ["orders"] = app });
        return (bed, app);
    }

    [Fact]
    public async Task Json_body_is_wrapped_with_exactly_the_attributes_daprd_adds()
    {
        var (bed, app) = await StartAsync();
        await using var scope = bed;

        var response = await bed.PublishJsonAsync("checkout", "orders", """{"orderId":1,"amount":9.50}""");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var delivery = (await app.WaitForDeliveriesAsync("/orders", 1))[0];
        var ce = delivery.Json!.AsObject();
        Assert.Equal(
            ["data", "datacontenttype", "id", "pubsubname", "source", "specversion", "time", "topic", "traceid", "traceparent", "tracestate", "type"],
            ce.Select(p => p.Key).ToArray());
        Assert.True(Guid.TryParse(ce["id"]!.GetValue<string>(), out _));
        Assert.Equal("checkout", ce["source"]!.GetValue<string>());
        Assert.Equal("com.dapr.event.sent", ce["type"]!.GetValue<string>());
        Assert.Equal("1.0", ce["specversion"]!.GetValue<string>());
        Assert.Equal("application/json", ce["datacontenttype"]!.GetValue<string>());
        Assert.Equal("orders", ce["topic"]!.GetValue<string>());
        Assert.Equal("pubsub", ce["pubsubname"]!.GetValue<string>());
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$", ce["traceparent"]!.GetValue<string>());
        Assert.Equal(ce["traceparent"]!.GetValue<string>(), ce["traceid"]!.GetValue<string>());
        Assert.Equal(string.Empty, ce["tracestate"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", ce["time"]!.GetValue<string>());
        // Go sorts keys and keeps numbers as written (UseNumber).
        Assert.Contains("\"data\":{\"amount\":9.50,\"orderId\":1}", delivery.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delivery_is_a_POST_of_the_stored_bytes_with_cloudevents_content_type_pubsubname_and_a_child_traceparent()
    {
        var (bed, app) = await StartAsync();
        await using var scope = bed;

        await bed.PublishJsonAsync("checkout", "orders", """{"orderId":2}""");

        var delivery = (await app.WaitForDeliveriesAsync("/orders", 1))[0];
        Assert.Equal("application/cloudevents+json", delivery.Header("content-type"));
        Assert.Equal("pubsub", delivery.Header("pubsubname"));
        var published = delivery.Json!["traceparent"]!.GetValue<string>();
        var header = delivery.Header("traceparent")!;
        Assert.Equal(published.Split('-')[1], header.Split('-')[1]);
        Assert.NotEqual(published.Split('-')[2], header.Split('-')[2]);
    }

    [Fact]
    public async Task Content_types_select_data_encoding_as_daprd_does()
    {
        var (bed, app) = await StartAsync();
        await using var scope = bed;

        await bed.PublishAsync("checkout", "orders", "plain text", contentType: null);
        await bed.PublishAsync("checkout", "orders", "{not json", "application/json");
        await bed.PublishAsync("checkout", "orders", "{\"a\":1}", "application/vnd.foo+json");
        await bed.PublishAsync("checkout", "orders", "bytes", "application/octet-stream");
        await bed.PublishAsync("checkout", "orders", "{\"a\":1}", "application/json; charset=utf-8");

        var events = (await app.WaitForDeliveriesAsync("/orders", 5)).Select(d => d.Json!.AsObject()).ToList();
        var byType = events.ToDictionary(e => e["datacontenttype"]!.GetValue<string>() + "|" + (e["data"]?.ToJsonString() ?? e["data_base64"]!.GetValue<string>()));
        Assert.Contains("text/plain|\"plain text\"", byType.Keys);
        Assert.Contains("application/json|\"{not json\"", byType.Keys);
        Assert.Contains("application/vnd.foo+json|\"{\\u0022a\\u0022:1}\"", byType.Keys.Select(k => k.Replace("\\\"", "\\u0022", StringComparison.Ordinal)));
        Assert.Contains("application/octet-stream|Ynl0ZXM=", byType.Keys);
        Assert.Contains("application/json; charset=utf-8|{\"a\":1}", byType.Keys);
    }

    [Fact]
    public async Task Cloudevent_metadata_overrides_replace_generated_attributes()
    {
        var (bed, app) = await StartAsync();
        await using var scope = bed;
        const string Trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

        await bed.PublishJsonAsync("checkout", "orders", "{}",
            query: $"?metadata.cloudevent.id=order-7&metadata.cloudevent.type=com.acme.order&metadata.cloudevent.source=shop&metadata.cloudevent.subject=s1&metadata.cloudevent.traceparent={Trace}");

        var delivery = (await app.WaitForDeliveriesAsync("/orders", 1))[0];
        var ce = delivery.Json!;
        Assert.Equal("order-7", ce["id"]!.GetValue<string>());
        // pubsub.in-memory forwards the publisher's request metadata, which daprd turns into headers.
        Assert.Equal("order-7", delivery.Header("cloudevent.id"));
        Assert.Equal("com.acme.order", ce["type"]!.GetValue<string>());
        Assert.Equal("shop", ce["source"]!.GetValue<string>());
        Assert.Equal("s1", ce["subject"]!.GetValue<string>());
        Assert.Equal(Trace, ce["traceparent"]!.GetValue<string>());
        Assert.Equal(Trace, ce["traceid"]!.GetValue<string>());
    }

    [Fact]
    public async Task App_built_cloudevents_pass_through_with_topic_overwritten_and_only_missing_attributes_added()
    {
        var (bed, app) = await StartAsync();
        await using var scope = bed;

        await bed.PublishAsync("checkout", "orders",
            """{"id":"mine","source":"my-app","topic":"wrong","traceparent":"00-11111111111111111111111111111111-2222222222222222-01","data":{"x":1},"ext1":"kept"}""",
            "application/cloudevents+json");

        var ce = (await app.WaitForDeliveriesAsync("/orders", 1))[0].Json!.AsObject();
        Assert.Equal("mine", ce["id"]!.GetValue<string>());
        Assert.Equal("my-app", ce["source"]!.GetValue<string>());
        Assert.Equal("orders", ce["topic"]!.GetValue<string>());
        Assert.Equal("pubsub", ce["pubsubname"]!.GetValue<string>());
        Assert.Equal("com.dapr.event.sent", ce["type"]!.GetValue<string>());
        Assert.Equal("1.0", ce["specversion"]!.GetValue<string>());
        Assert.Equal("kept", ce["ext1"]!.GetValue<string>());
        Assert.False(ce.ContainsKey("datacontenttype"));
        Assert.True(ce.ContainsKey("time"));
        // traceid was absent, so daprd overwrites the app's traceparent with its own span.
        Assert.NotEqual("00-11111111111111111111111111111111-2222222222222222-01", ce["traceparent"]!.GetValue<string>());
        Assert.Equal(ce["traceid"]!.GetValue<string>(), ce["traceparent"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_cloudevent_body_that_is_not_a_json_object_is_refused()
    {
        var (bed, _) = await StartAsync();
        await using var scope = bed;

        var response = await bed.PublishAsync("checkout", "orders", "[1,2]", "application/cloudevents+json");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("ERR_PUBSUB_CLOUD_EVENTS_SER", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Raw_payload_publishes_the_body_unwrapped_and_a_raw_subscription_gets_it_base64_in_a_new_envelope()
    {
        var app = await TestApp.StartAsync(a => a.Subscribe("""[{"pubsubname":"pubsub","topic":"raw","route":"/raw","metadata":{"rawPayload":"true"}}]"""));
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder().WithPubSub(), new Dictionary<string, TestApp?> { ["checkout"] = null, ["orders"] = app });

        var response = await bed.PublishAsync("checkout", "raw", "hello", "text/plain", query: "?metadata.rawPayload=true");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var ce = (await app.WaitForDeliveriesAsync("/raw", 1))[0].Json!;
        Assert.Equal("aGVsbG8=", ce["data_base64"]!.GetValue<string>());
        Assert.Equal("application/octet-stream", ce["datacontenttype"]!.GetValue<string>());
        Assert.Equal("Dapr", ce["source"]!.GetValue<string>());
    }

    [Fact]
    public async Task Invalid_raw_payload_value_is_a_bad_request()
    {
        var (bed, _) = await StartAsync();
        await using var scope = bed;

        var response = await bed.PublishJsonAsync("checkout", "orders", "{}", query: "?metadata.rawPayload=yes");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("ERR_PUBSUB_REQUEST_METADATA", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_pubsub_is_404_pubsub_not_found()
    {
        var (bed, _) = await StartAsync();
        await using var scope = bed;

        var response = await bed.PublishJsonAsync("checkout", "orders", "{}", pubsub: "nope");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("ERR_PUBSUB_NOT_FOUND", error["errorCode"]!.GetValue<string>());
    }
}
