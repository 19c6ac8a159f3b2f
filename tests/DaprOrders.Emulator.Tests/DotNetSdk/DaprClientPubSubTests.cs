using System.Text;
using System.Text.Json.Nodes;
using Dapr;
using Dapr.Client;
using Grpc.Core;

namespace DaprOrders.Emulator.Tests.DotNetSdk;

/// <summary>
/// The official .NET SDK's publish, bulk publish and the transactional outbox over the emulator's gRPC door.
/// Semantics and status codes: dapr/dapr@3289e4d pkg/api/grpc/grpc.go (PublishEvent, BulkPublishEventAlpha1,
/// validateAndGetPubsubAndTopic, ExecuteStateTransaction) and pkg/api/errors/pubsub.go.
/// </summary>
public sealed class DaprClientPubSubTests
{
    private sealed record Order(int Qty);

    // The same check as the JavaScript suite's "pubsub" (tests/js/sdk-conformance.mjs): the published object arrives
    // at the subscriber as the CloudEvent's data.
    [Fact]
    public async Task A_published_object_reaches_the_subscriber_as_a_json_cloudevent()
    {
        await using var sdk = await SdkTestBed.StartAsync();

        await sdk.Client.PublishEventAsync("pubsub", "orders", new { orderId = 7, note = "from the dotnet sdk" });

        var delivered = (await sdk.App.WaitForDeliveriesAsync("/orders", 1))[0].Json!.AsObject();
        Assert.Equal(7, delivered["data"]!["orderId"]!.GetValue<int>());
        Assert.Equal("application/json", delivered["datacontenttype"]!.GetValue<string>());
        Assert.Equal(SdkTestBed.AppId, delivered["source"]!.GetValue<string>());
        Assert.Equal("orders", delivered["topic"]!.GetValue<string>());
        Assert.Equal("pubsub", delivered["pubsubname"]!.GetValue<string>());
        Assert.Equal("com.dapr.event.sent", delivered["type"]!.GetValue<string>());
    }

    // cloudevent.* metadata overrides envelope attributes (components-contrib pubsub.ApplyMetadata / NewCloudEventsEnvelope).
    [Fact]
    public async Task Publish_metadata_sets_cloudevent_attributes()
    {
        await using var sdk = await SdkTestBed.StartAsync();

        await sdk.Client.PublishEventAsync("pubsub", "orders", new Order(1),
            new Dictionary<string, string> { ["cloudevent.type"] = "order.placed", ["cloudevent.source"] = "checkout" });

        var delivered = (await sdk.App.WaitForDeliveriesAsync("/orders", 1))[0].Json!.AsObject();
        Assert.Equal("order.placed", delivered["type"]!.GetValue<string>());
        Assert.Equal("checkout", delivered["source"]!.GetValue<string>());
    }

    // rawPayload=true publishes the bytes without an envelope; a rawPayload subscription gets them back as they were sent.
    [Fact]
    public async Task A_raw_payload_reaches_a_raw_subscription_unwrapped()
    {
        await using var sdk = await SdkTestBed.StartAsync();

        await sdk.Client.PublishEventAsync("pubsub", "raw", new Order(3), new Dictionary<string, string> { ["rawPayload"] = "true" });

        var delivered = (await sdk.App.WaitForDeliveriesAsync("/raw", 1))[0].Json!.AsObject();
        Assert.Equal("{\"qty\":3}", Encoding.UTF8.GetString(Convert.FromBase64String(delivered["data_base64"]!.GetValue<string>())));
    }

    // A body sent as application/cloudevents+json is the CloudEvent itself: its attributes are kept and daprd adds its own.
    [Fact]
    public async Task A_cloudevent_published_as_is_keeps_its_attributes()
    {
        await using var sdk = await SdkTestBed.StartAsync();

        await sdk.Client.PublishEventAsync("pubsub", "orders", new CloudEvent<Order>(new Order(9)) { Source = new Uri("urn:checkout"), Type = "order.placed" });

        var delivered = (await sdk.App.WaitForDeliveriesAsync("/orders", 1))[0].Json!.AsObject();
        Assert.Equal("order.placed", delivered["type"]!.GetValue<string>());
        Assert.Equal("urn:checkout", delivered["source"]!.GetValue<string>());
        Assert.Equal(9, delivered["data"]!["qty"]!.GetValue<int>());
        Assert.Equal("orders", delivered["topic"]!.GetValue<string>());
    }

    // The SDK asks the sidecar's gRPC reflection which bulk publish RPC exists, then calls it.
    [Fact]
    public async Task Bulk_publish_delivers_every_entry_and_reports_no_failure()
    {
        await using var sdk = await SdkTestBed.StartAsync();

        var response = await sdk.Client.BulkPublishEventAsync("pubsub", "orders", [new Order(1), new Order(2), new Order(3)]);

        Assert.Empty(response.FailedEntries);
        var delivered = await sdk.App.WaitForDeliveriesAsync("/orders", 3);
        Assert.Equal([1, 2, 3], delivered.Select(d => d.Json!["data"]!["qty"]!.GetValue<int>()).Order());
    }

    // A transaction on a store with outbox metadata publishes one CloudEvent per upsert, about 1 s after the commit.
    [Fact]
    public async Task A_transaction_on_the_outbox_store_publishes_its_upsert()
    {
        await using var sdk = await SdkTestBed.StartAsync();

        await sdk.Client.ExecuteStateTransactionAsync("orderstore",
        [
            new StateTransactionRequest("order-1", "{\"qty\":1}"u8.ToArray(), StateOperationType.Upsert,
                metadata: new Dictionary<string, string> { ["contentType"] = "application/json" }),
        ]);

        var delivered = (await sdk.App.WaitForDeliveriesAsync("/outbox", 1))[0].Json!.AsObject();
        Assert.Equal(1, delivered["data"]!["qty"]!.GetValue<int>());
        Assert.Equal("application/json", delivered["datacontenttype"]!.GetValue<string>());
        Assert.Equal("orders-outbox", delivered["topic"]!.GetValue<string>());
        Assert.Equal(1, (await sdk.Client.GetStateAsync<Order>("orderstore", "order-1"))!.Qty);
    }

    [Theory]
    // validateAndGetPubsubAndTopic: an unknown pubsub is INVALID_ARGUMENT (pkg/api/errors NotFound).
    [InlineData("nope", "orders", "application/json", "{}", StatusCode.InvalidArgument, "pubsub nope is not found")]
    // A body that is not a CloudEvent sent as application/cloudevents+json: PubSubCloudEventCreation, INVALID_ARGUMENT.
    [InlineData("pubsub", "orders", "application/cloudevents+json", "not json", StatusCode.InvalidArgument, "cloud event")]
    public async Task Refused_publishes_carry_daprds_status_code(string pubsub, string topic, string contentType, string body, StatusCode code, string message)
    {
        await using var sdk = await SdkTestBed.StartAsync();

        var error = await Assert.ThrowsAsync<DaprException>(() =>
            sdk.Client.PublishByteEventAsync(pubsub, topic, Encoding.UTF8.GetBytes(body), contentType));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(code, rpc.StatusCode);
        Assert.Contains(message, rpc.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(sdk.App.RequestsTo("/orders"));
    }

    [Fact]
    public async Task Bulk_publish_to_an_unknown_pubsub_is_invalid_argument()
    {
        await using var sdk = await SdkTestBed.StartAsync();

        var error = await Assert.ThrowsAsync<DaprException>(() => sdk.Client.BulkPublishEventAsync("nope", "orders", [new Order(1)]));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.Equal("pubsub nope is not found", rpc.Status.Detail);
    }
}
