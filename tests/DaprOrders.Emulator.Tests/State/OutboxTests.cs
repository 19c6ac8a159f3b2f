using System.Net;
using DaprOrders.Emulator.State;
using DaprOrders.Emulator.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DaprOrders.Emulator.Tests.State;

// dapr/dapr release-1.17 pkg/runtime/pubsub/outbox.go and docs building-blocks/state-management/howto-outbox: transactional outbox (outboxPublishPubsub / outboxPublishTopic / outbox.projection).
public sealed class OutboxTests
{
    private static async Task<(EmulatorTestBed, TestApp)> StartAsync(string extraMetadata = "", FakeTimeProvider? clock = null)
    {
        var listener = await TestApp.StartAsync(a => a.Subscribe("""[{"pubsubname":"pubsub","topic":"orders","route":"/orders"}]"""));
        var resources = new ResourceFolder().WithPubSub().WithStateStore("orderstore", metadata: """
                - name: outboxPublishPubsub
                  value: pubsub
                - name: outboxPublishTopic
                  value: orders
            """ + extraMetadata, scopes: "scopes: [ordering]");
        var bed = await EmulatorTestBed.StartAsync(resources, new Dictionary<string, TestApp?> { ["ordering"] = null, ["listener"] = listener }, clock);
        return (bed, listener);
    }

    [Fact]
    public async Task Each_committed_upsert_publishes_a_cloudevent_with_an_outbox_id()
    {
        var (bed, listener) = await StartAsync();
        await using var scope = bed;

        var response = await bed.PostJsonAsync("ordering", "/v1.0/state/orderstore/transaction?metadata.contentType=application/json", """
            {"operations":[{"operation":"upsert","request":{"key":"order-7","value":{"orderId":7,"status":"placed"}}},
                           {"operation":"delete","request":{"key":"old"}}]}
            """);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var ce = (await listener.WaitForDeliveriesAsync("/orders", 1))[0].Json!;
        await bed.WaitForIdleAsync();
        Assert.Single(listener.RequestsTo("/orders"));
        Assert.StartsWith("outbox-", ce["id"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("ordering", ce["source"]!.GetValue<string>());
        Assert.Equal("com.dapr.event.sent", ce["type"]!.GetValue<string>());
        Assert.Equal("application/json", ce["datacontenttype"]!.GetValue<string>());
        Assert.Equal("{\"orderId\":7,\"status\":\"placed\"}", ce["data"]!.ToJsonString());
        Assert.Equal(string.Empty, ce["traceparent"]!.GetValue<string>());
        Assert.Equal("application/json", ce["contentType"]!.GetValue<string>()); // op metadata becomes an attribute
        Assert.Equal("orders", ce["topic"]!.GetValue<string>());
    }

    [Fact]
    public async Task Op_metadata_overrides_attributes_and_non_json_values_are_formatted_like_go()
    {
        var (bed, listener) = await StartAsync();
        await using var scope = bed;

        await bed.PostJsonAsync("ordering", "/v1.0/state/orderstore/transaction", """
            {"operations":[{"operation":"upsert","request":{"key":"o","value":{"type":"book","orderId":7},"metadata":{"type":"com.acme.placed","id":"ignored"}}}]}
            """);

        var ce = (await listener.WaitForDeliveriesAsync("/orders", 1))[0].Json!;
        Assert.Equal("com.acme.placed", ce["type"]!.GetValue<string>());
        Assert.StartsWith("outbox-", ce["id"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("text/plain", ce["datacontenttype"]!.GetValue<string>());
        Assert.Equal("map[orderId:7 type:book]", ce["data"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_projection_is_published_instead_of_the_stored_value_and_is_not_stored()
    {
        var (bed, listener) = await StartAsync();
        await using var scope = bed;

        await bed.PostJsonAsync("ordering", "/v1.0/state/orderstore/transaction", """
            {"operations":[{"operation":"upsert","request":{"key":"o","value":{"full":true},"contentType":"application/json"}},
                           {"operation":"upsert","request":{"key":"o","value":{"public":true},"contentType":"application/json","metadata":{"outbox.projection":"true"}}}]}
            """);

        var ce = (await listener.WaitForDeliveriesAsync("/orders", 1))[0].Json!;
        Assert.Equal("{\"public\":true}", ce["data"]!.ToJsonString());
        Assert.Equal("{\"full\":true}", await bed.Http.GetStringAsync(bed.Sidecar("ordering", "/v1.0/state/orderstore/o")));
    }

    [Fact]
    public async Task CloudEvent_attributes_come_from_the_written_operation_and_data_from_its_projection()
    {
        // daprd outbox.go: data and content type from the projection, attributes from op.GetMetadata() of the written op.
        var (bed, listener) = await StartAsync();
        await using var scope = bed;

        await bed.PostJsonAsync("ordering", "/v1.0/state/orderstore/transaction", """
            {"operations":[{"operation":"upsert","request":{"key":"o","value":{"full":true},"metadata":{"type":"shop.order.created.v1"}}},
                           {"operation":"upsert","request":{"key":"o","value":{"public":true},"contentType":"application/json","metadata":{"outbox.projection":"true","type":"ignored.projection.type"}}}]}
            """);

        var ce = (await listener.WaitForDeliveriesAsync("/orders", 1))[0].Json!;
        Assert.Equal("shop.order.created.v1", ce["type"]!.GetValue<string>());
        Assert.Equal("application/json", ce["datacontenttype"]!.GetValue<string>());
        Assert.Equal("{\"public\":true}", ce["data"]!.ToJsonString());
        Assert.Null(ce["outbox.projection"]);
    }

    // dapr/dapr v1.17.13 pkg/runtime/pubsub/outbox.go and the transaction path of pkg/api/http/http.go: the internal
    // message goes out before the commit with a marker key in the transaction; 1 s later the marker is found, the event
    // is published under the marker's id and the marker deleted.
    [Fact]
    public async Task The_event_follows_the_commit_by_one_second_under_the_markers_id_and_the_marker_is_deleted()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var (bed, listener) = await StartAsync(clock: clock);
        await using var scope = bed;
        var outbox = bed.Emulator.Services.GetRequiredService<TransactionalOutbox>();
        var store = bed.StateStores.Find("ordering", "orderstore")!.Store;

        var response = await bed.PostJsonAsync("ordering", "/v1.0/state/orderstore/transaction", """
            {"operations":[{"operation":"upsert","request":{"key":"o","value":1}}]}
            """);
        var marker = Assert.Single(store.Keys(), k => k.StartsWith("outbox-", StringComparison.Ordinal));
        var markerValue = System.Text.Encoding.UTF8.GetString(store.Get(marker)!.Value.Span);
        await bed.AdvanceAsync(TimeSpan.FromMilliseconds(999));
        var beforeOneSecond = listener.RequestsTo("/orders").Count;
        await bed.AdvanceAsync(TimeSpan.FromMilliseconds(1));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("\"0\"", markerValue);
        Assert.Equal(0, beforeOneSecond);
        var ce = Assert.Single(listener.RequestsTo("/orders")).Json!;
        Assert.Equal(marker, ce["id"]!.GetValue<string>());
        Assert.DoesNotContain(store.Keys(), k => k.StartsWith("outbox-", StringComparison.Ordinal));
        Assert.Equal((1, 1, 0), (outbox.InternalPublished, outbox.Relayed, outbox.Pending));
    }

    [Fact]
    public async Task A_failed_transaction_leaves_an_internal_message_discarded_once_its_marker_is_missing_for_ten_seconds()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var (bed, listener) = await StartAsync("""

                - name: outboxDiscardWhenMissingState
                  value: "true"
            """, clock);
        await using var scope = bed;
        var outbox = bed.Emulator.Services.GetRequiredService<TransactionalOutbox>();

        var failed = await bed.PostJsonAsync("ordering", "/v1.0/state/orderstore/transaction", """
            {"operations":[{"operation":"upsert","request":{"key":"o","value":1,"etag":"nope"}}]}
            """);
        await bed.PostJsonAsync("ordering", "/v1.0/state/orderstore", """[{"key":"p","value":1}]""");
        var published = outbox.InternalPublished;
        var seconds = 0;
        for (; seconds < 30 && outbox.Pending > 0; seconds++)
        {
            await bed.AdvanceAsync(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal(1, published); // before the commit failed; the plain save publishes nothing
        Assert.InRange(seconds, 10, 12); // 1 s, then about 10 s of looking for the marker
        Assert.Equal((1, 0, 0), (outbox.Discarded, outbox.Relayed, outbox.Pending));
        Assert.Empty(listener.RequestsTo("/orders"));
    }

    [Fact]
    public async Task The_outbox_topic_is_subject_to_publishing_scopes()
    {
        var listener = await TestApp.StartAsync();
        var resources = new ResourceFolder()
            .WithPubSub(metadata: """
                    - name: publishingScopes
                      value: "ordering=payments"
                """)
            .WithStateStore("orderstore", metadata: """
                    - name: outboxPublishPubsub
                      value: pubsub
                    - name: outboxPublishTopic
                      value: orders
                """);
        await using var bed = await EmulatorTestBed.StartAsync(resources, new Dictionary<string, TestApp?> { ["ordering"] = null, ["listener"] = listener });

        var response = await bed.PostJsonAsync("ordering", "/v1.0/state/orderstore/transaction", """
            {"operations":[{"operation":"upsert","request":{"key":"o","value":1}}]}
            """);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("ERR_PUBLISH_OUTBOX", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, (await bed.Http.GetAsync(bed.Sidecar("ordering", "/v1.0/state/orderstore/o"))).StatusCode);
    }
}
