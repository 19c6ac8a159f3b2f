using System.Text.Json;
using DaprOrders.Sidecar.Tests.Infrastructure;

namespace DaprOrders.Sidecar.Tests;

public sealed class StateClientTests : IAsyncLifetime
{
    private RecordingSidecar _sidecar = null!;

    public async Task InitializeAsync() => _sidecar = await RecordingSidecar.StartAsync();

    public async Task DisposeAsync() => await _sidecar.DisposeAsync();

    // Dapr docs: reference/api/state_api#get-state
    [Fact]
    public async Task GetStateEntryAsync_reads_value_unquoted_etag_and_metadata_headers()
    {
        _sidecar.RespondWith(ScriptedResponse.Json(200, """{"orderId":1,"amount":2.5}""",
            new Dictionary<string, string> { ["Etag"] = "3", ["metadata.ttlExpireTime"] = "2025-03-01T10:02:00Z" }));
        var client = _sidecar.CreateClient();

        var entry = await client.GetStateEntryAsync("statestore", "order 1", TestJsonContext.Default.Order,
            ConsistencyMode.Strong, new Dictionary<string, string> { ["partitionKey"] = "p1" });

        var request = _sidecar.Single();
        Assert.Equal("GET", request.Method);
        Assert.Equal("/v1.0/state/statestore/order 1", request.Path);
        Assert.Equal("?consistency=strong&metadata.partitionKey=p1", request.Query);
        Assert.Equal("sidecar-token", request.Header("dapr-api-token"));
        Assert.NotNull(entry);
        Assert.Equal(new Order(1, 2.5m), entry.Value);
        Assert.Equal("3", entry.ETag);
        Assert.Equal("2025-03-01T10:02:00Z", entry.Metadata["ttlExpireTime"]);
    }

    // Dapr docs: reference/api/state_api#get-state (204 when the key is missing)
    [Fact]
    public async Task Missing_key_answered_with_204_is_null()
    {
        var client = _sidecar.CreateClient();

        Assert.Null(await client.GetStateEntryAsync("statestore", "nope", TestJsonContext.Default.Order));
        Assert.Null(await client.GetStateAsync("statestore", "nope", TestJsonContext.Default.Order));
        Assert.Equal(2, _sidecar.Requests.Count);
    }

    // Dapr docs: reference/api/state_api#get-state (400 ERR_STATE_STORE_NOT_FOUND)
    [Fact]
    public async Task Unknown_store_is_a_typed_error()
    {
        _sidecar.RespondWith(ScriptedResponse.DaprError(400, "ERR_STATE_STORE_NOT_FOUND", "state store nope is not found"));
        var client = _sidecar.CreateClient();

        var error = await Assert.ThrowsAsync<DaprApiException>(() => client.GetStateAsync("nope", "k", TestJsonContext.Default.Order));

        Assert.Equal("ERR_STATE_STORE_NOT_FOUND", error.ErrorCode);
        Assert.Equal(400, (int)error.StatusCode);
    }

    // Dapr docs: reference/api/state_api#save-state
    [Fact]
    public async Task SaveStateAsync_posts_a_one_item_array_with_etag_options_and_metadata()
    {
        var client = _sidecar.CreateClient();

        await client.SaveStateAsync("statestore", "order-1", new Order(1, 2m), TestJsonContext.Default.Order, etag: "3",
            new StateOptions(ConcurrencyMode.FirstWrite, ConsistencyMode.Strong),
            new Dictionary<string, string> { ["ttlInSeconds"] = "120" });

        var request = _sidecar.Single();
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1.0/state/statestore", request.Path);
        Assert.Equal("application/json", request.ContentType);
        Assert.Equal("sidecar-token", request.Header("dapr-api-token"));
        JsonAssert.Equal("""
            [{"key":"order-1","value":{"orderId":1,"amount":2},"etag":"3","metadata":{"ttlInSeconds":"120"},
              "options":{"concurrency":"first-write","consistency":"strong"}}]
            """, request.Body);
    }

    // Dapr docs: reference/api/state_api#save-state (minimal body: no etag, options or metadata)
    [Fact]
    public async Task SaveStateAsync_without_extras_sends_only_key_and_value()
    {
        var client = _sidecar.CreateClient();

        await client.SaveStateAsync("statestore", "counter", 5, TestJsonContext.Default.Int32);

        JsonAssert.Equal("""[{"key":"counter","value":5}]""", _sidecar.Single().Body);
    }

    // Dapr docs: reference/api/state_api#save-state (several items in one array, each with its own etag and options)
    [Fact]
    public async Task SaveBulkStateAsync_posts_every_item_with_its_own_etag_and_options()
    {
        var client = _sidecar.CreateClient();

        await client.SaveBulkStateAsync("statestore",
            [
                new SaveStateItem<Order>("order-1", new Order(1, 2m), ETag: "7"),
                new SaveStateItem<Order>("order-2", new Order(2, 3m), Options: new StateOptions(ConcurrencyMode.FirstWrite)),
            ],
            TestJsonContext.Default.Order);
        await client.SaveBulkStateAsync("statestore", [], TestJsonContext.Default.Order);

        var request = _sidecar.Single();
        Assert.Equal("/v1.0/state/statestore", request.Path);
        JsonAssert.Equal("""
            [{"key":"order-1","value":{"orderId":1,"amount":2},"etag":"7"},
             {"key":"order-2","value":{"orderId":2,"amount":3},"options":{"concurrency":"first-write"}}]
            """, request.Body);
    }

    // Dapr docs: reference/api/state_api#save-state (a conflict in any item is a 409 for the request)
    [Fact]
    public async Task SaveBulkStateAsync_throws_etag_mismatch_on_409()
    {
        _sidecar.RespondWith(ScriptedResponse.DaprError(409, "ERR_STATE_SAVE", "possible etag mismatch"));
        var client = _sidecar.CreateClient();

        await Assert.ThrowsAsync<DaprETagMismatchException>(() => client.SaveBulkStateAsync("statestore",
            [new SaveStateItem<int>("a", 1, ETag: "1"), new SaveStateItem<int>("b", 2)], TestJsonContext.Default.Int32));
    }

    // Dapr docs: reference/api/state_api#save-state (409 on ETag mismatch)
    [Fact]
    public async Task SaveStateAsync_throws_etag_mismatch_on_409_and_TrySave_returns_false()
    {
        _sidecar.RespondWith(ScriptedResponse.DaprError(409, "ERR_STATE_SAVE",
            "failed saving state in state store statestore: possible etag mismatch. error from state store: ..."));
        var client = _sidecar.CreateClient();

        var error = await Assert.ThrowsAsync<DaprETagMismatchException>(() =>
            client.SaveStateAsync("statestore", "k", 1, TestJsonContext.Default.Int32, etag: "1"));
        var saved = await client.TrySaveStateAsync("statestore", "k", 1, TestJsonContext.Default.Int32, etag: "1");

        Assert.Equal("ERR_STATE_SAVE", error.ErrorCode);
        Assert.Equal(409, (int)error.StatusCode);
        Assert.False(saved);
    }

    // Dapr docs: reference/api/state_api#save-state (500 ERR_STATE_SAVE is not an ETag mismatch)
    [Fact]
    public async Task TrySaveStateAsync_rethrows_other_errors()
    {
        _sidecar.RespondWith(ScriptedResponse.DaprError(500, "ERR_STATE_SAVE", "connection refused"));
        var client = _sidecar.CreateClient();

        var error = await Assert.ThrowsAsync<DaprApiException>(() =>
            client.TrySaveStateAsync("statestore", "k", 1, TestJsonContext.Default.Int32, etag: "1"));

        Assert.IsNotType<DaprETagMismatchException>(error);
        Assert.Equal(500, (int)error.StatusCode);
    }

    // Dapr docs: reference/api/state_api#save-state (TrySave succeeds on 204)
    [Fact]
    public async Task TrySaveStateAsync_returns_true_on_success()
    {
        var client = _sidecar.CreateClient();

        Assert.True(await client.TrySaveStateAsync("statestore", "k", 1, TestJsonContext.Default.Int32, etag: "7"));
        JsonAssert.Equal("""[{"key":"k","value":1,"etag":"7"}]""", _sidecar.Single().Body);
    }

    // Dapr docs: reference/api/state_api#delete-state
    [Fact]
    public async Task DeleteStateAsync_sends_if_match_verbatim_and_options_as_query()
    {
        var client = _sidecar.CreateClient();

        await client.DeleteStateAsync("statestore", "order-1", etag: "5",
            new StateOptions(ConcurrencyMode.FirstWrite, ConsistencyMode.Eventual),
            new Dictionary<string, string> { ["partitionKey"] = "p" });

        var request = _sidecar.Single();
        Assert.Equal("DELETE", request.Method);
        Assert.Equal("/v1.0/state/statestore/order-1", request.Path);
        Assert.Equal("?concurrency=first-write&consistency=eventual&metadata.partitionKey=p", request.Query);
        Assert.Equal("5", request.Header("If-Match"));
        Assert.Equal("sidecar-token", request.Header("dapr-api-token"));
    }

    // Dapr docs: reference/api/state_api#delete-state (409 on ETag mismatch)
    [Fact]
    public async Task Delete_etag_mismatch_throws_and_TryDelete_returns_false()
    {
        _sidecar.RespondWith(ScriptedResponse.DaprError(409, "ERR_STATE_DELETE", "failed deleting state with key k: possible etag mismatch"));
        var client = _sidecar.CreateClient();

        var error = await Assert.ThrowsAsync<DaprETagMismatchException>(() => client.DeleteStateAsync("statestore", "k", "1"));
        var deleted = await client.TryDeleteStateAsync("statestore", "k", "1");

        Assert.Equal("ERR_STATE_DELETE", error.ErrorCode);
        Assert.False(deleted);
    }

    // Dapr docs: reference/api/state_api#get-bulk-state
    [Fact]
    public async Task GetBulkStateAsync_posts_keys_and_reads_found_missing_and_failed_items()
    {
        _sidecar.RespondWith(ScriptedResponse.Json(200,
            """[{"key":"a","data":{"orderId":1,"amount":1},"etag":"1"},{"key":"b"},{"key":"c","error":"boom"}]"""));
        var client = _sidecar.CreateClient();

        var items = await client.GetBulkStateAsync("statestore", ["a", "b", "c"], parallelism: 10,
            new Dictionary<string, string> { ["partitionKey"] = "p" });

        var request = _sidecar.Single();
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1.0/state/statestore/bulk", request.Path);
        JsonAssert.Equal("""{"keys":["a","b","c"],"parallelism":10,"metadata":{"partitionKey":"p"}}""", request.Body);
        Assert.Collection(items,
            a =>
            {
                Assert.True(a.Found);
                Assert.Equal("1", a.ETag);
                Assert.Equal(new Order(1, 1m), a.GetValue(TestJsonContext.Default.Order));
            },
            b =>
            {
                Assert.Equal("b", b.Key);
                Assert.False(b.Found);
                Assert.Null(b.GetValue(TestJsonContext.Default.Order));
            },
            c =>
            {
                Assert.False(c.Found);
                Assert.Equal("boom", c.Error);
            });
    }

    // Dapr docs: reference/api/state_api#state-transactions (per-operation metadata drives the outbox)
    [Fact]
    public async Task ExecuteStateTransactionAsync_posts_operations_with_per_operation_metadata()
    {
        var client = _sidecar.CreateClient();
        var outboxMetadata = new Dictionary<string, string> { ["contentType"] = "application/json", ["type"] = "com.acme.order.submitted" };

        await client.ExecuteStateTransactionAsync("statestore",
        [
            StateTransactionOperation.Upsert("order-1", new Order(1, 2m), TestJsonContext.Default.Order, etag: "2", metadata: outboxMetadata,
                options: new StateOptions(ConcurrencyMode.FirstWrite)),
            StateTransactionOperation.Upsert("order-1", new Order(1, 0m), TestJsonContext.Default.Order,
                metadata: new Dictionary<string, string> { ["outbox.projection"] = "true" }),
            StateTransactionOperation.Delete("old", etag: "7"),
        ], new Dictionary<string, string> { ["partitionKey"] = "planet" });

        var request = _sidecar.Single();
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1.0/state/statestore/transaction", request.Path);
        Assert.Equal("application/json", request.ContentType);
        Assert.Equal("sidecar-token", request.Header("dapr-api-token"));
        JsonAssert.Equal("""
            {"operations":[
               {"operation":"upsert","request":{"key":"order-1","value":{"orderId":1,"amount":2},"etag":"2",
                 "metadata":{"contentType":"application/json","type":"com.acme.order.submitted"},"options":{"concurrency":"first-write"}}},
               {"operation":"upsert","request":{"key":"order-1","value":{"orderId":1,"amount":0},"metadata":{"outbox.projection":"true"}}},
               {"operation":"delete","request":{"key":"old","etag":"7"}}],
             "metadata":{"partitionKey":"planet"}}
            """, request.Body);
    }

    // Dapr docs: reference/api/state_api#state-transactions (ETag mismatch inside a transaction is 500 ERR_STATE_TRANSACTION)
    [Fact]
    public async Task Transaction_etag_mismatch_is_500_ERR_STATE_TRANSACTION_not_a_409()
    {
        _sidecar.RespondWith(ScriptedResponse.DaprError(500, "ERR_STATE_TRANSACTION",
            "error while executing state transaction: possible etag mismatch"));
        var client = _sidecar.CreateClient();

        var error = await Assert.ThrowsAsync<DaprApiException>(() => client.ExecuteStateTransactionAsync("statestore",
            [StateTransactionOperation.Upsert("k", JsonDocument.Parse("1").RootElement, etag: "9")]));

        Assert.IsNotType<DaprETagMismatchException>(error);
        Assert.Equal(500, (int)error.StatusCode);
        Assert.Equal("ERR_STATE_TRANSACTION", error.ErrorCode);
        Assert.StartsWith("error while executing state transaction", error.DaprMessage, StringComparison.Ordinal);
    }
}
