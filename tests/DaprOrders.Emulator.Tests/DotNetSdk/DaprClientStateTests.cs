using Dapr;
using Dapr.Client;
using Grpc.Core;

namespace DaprOrders.Emulator.Tests.DotNetSdk;

/// <summary>
/// The official .NET SDK's state API over the emulator's gRPC door. Semantics and status codes:
/// dapr/dapr@3289e4d pkg/api/grpc/grpc.go (GetState, GetBulkState, SaveState, DeleteState, DeleteBulkState,
/// ExecuteStateTransaction, stateErrorResponse) and pkg/api/errors/state.go.
/// </summary>
public sealed class DaprClientStateTests
{
    private sealed record Order(int Qty);

    // The same steps as the JavaScript suite's "state-etag" and "state-transaction" checks (tests/js/sdk-conformance.mjs),
    // with the same outcome: the stale write is refused and changes nothing, the transaction applies both operations.
    [Fact]
    public async Task Saves_reads_and_refuses_a_stale_etag_like_the_js_sdk_then_applies_a_transaction()
    {
        await using var sdk = await SdkTestBed.StartAsync();
        var client = sdk.Client;

        await client.SaveStateAsync("statestore", "order-7", new Order(1));
        Assert.Equal(new Order(1), await client.GetStateAsync<Order>("statestore", "order-7"));
        var bulk = Assert.Single(await client.GetBulkStateAsync("statestore", ["order-7"], parallelism: 1));
        Assert.NotEmpty(bulk.ETag);

        var firstWrite = new StateOptions { Concurrency = ConcurrencyMode.FirstWrite };
        Assert.True(await client.TrySaveStateAsync("statestore", "order-7", new Order(2), bulk.ETag, firstWrite));
        // daprd answers a stale ETag with ABORTED, which TrySaveStateAsync reports as false (the JS SDK sees HTTP 409).
        Assert.False(await client.TrySaveStateAsync("statestore", "order-7", new Order(3), bulk.ETag, firstWrite));
        Assert.Equal(new Order(2), await client.GetStateAsync<Order>("statestore", "order-7"));

        await client.ExecuteStateTransactionAsync("statestore",
        [
            new StateTransactionRequest("order-8", System.Text.Encoding.UTF8.GetBytes("\"eight\""), StateOperationType.Upsert),
            new StateTransactionRequest("order-7", null, StateOperationType.Delete),
        ]);
        Assert.Equal("eight", await client.GetStateAsync<string>("statestore", "order-8"));
        Assert.Null(await client.GetStateAsync<Order>("statestore", "order-7"));
    }

    [Fact]
    public async Task Get_state_and_etag_gives_the_etag_every_write_changes_and_nothing_for_a_missing_key()
    {
        await using var sdk = await SdkTestBed.StartAsync();
        var client = sdk.Client;

        var (missing, noEtag) = await client.GetStateAndETagAsync<Order>("statestore", "absent", ConsistencyMode.Strong);
        Assert.Null(missing);
        Assert.Equal(string.Empty, noEtag);

        await client.SaveStateAsync("statestore", "k", new Order(1));
        var (value, etag) = await client.GetStateAndETagAsync<Order>("statestore", "k", ConsistencyMode.Eventual);
        await client.SaveStateAsync("statestore", "k", new Order(2));
        var (_, next) = await client.GetStateAndETagAsync<Order>("statestore", "k");

        Assert.Equal(new Order(1), value);
        Assert.NotEmpty(etag);
        Assert.NotEqual(etag, next);
    }

    [Fact]
    public async Task A_stale_etag_fails_save_with_aborted_and_delete_with_false()
    {
        await using var sdk = await SdkTestBed.StartAsync();
        var client = sdk.Client;
        await client.SaveStateAsync("statestore", "k", new Order(1));
        var (_, stale) = await client.GetStateAndETagAsync<Order>("statestore", "k");
        await client.SaveStateAsync("statestore", "k", new Order(2));

        var save = await Assert.ThrowsAsync<DaprException>(() =>
            client.SaveBulkStateAsync("statestore", [new SaveStateItem<Order>("k", new Order(3), stale)]));
        var rpc = Assert.IsType<RpcException>(save.InnerException);
        Assert.Equal(StatusCode.Aborted, rpc.StatusCode);
        Assert.StartsWith("failed saving state in state store statestore: possible etag mismatch", rpc.Status.Detail, StringComparison.Ordinal);

        Assert.False(await client.TryDeleteStateAsync("statestore", "k", stale));
        Assert.Equal(new Order(2), await client.GetStateAsync<Order>("statestore", "k"));
    }

    // state.in-memory compares ETags as opaque strings (dapr/components-contrib state/in-memory/in_memory.go), so an
    // ETag it never issued is a mismatch (ABORTED), not the INVALID_ARGUMENT a store with numeric ETags gives.
    [Fact]
    public async Task An_etag_the_store_never_issued_is_a_mismatch()
    {
        await using var sdk = await SdkTestBed.StartAsync();
        await sdk.Client.SaveStateAsync("statestore", "k", new Order(1));

        Assert.False(await sdk.Client.TrySaveStateAsync("statestore", "k", new Order(2), "not-an-etag"));
        Assert.Equal(new Order(1), await sdk.Client.GetStateAsync<Order>("statestore", "k"));
    }

    [Fact]
    public async Task Bulk_save_bulk_get_and_bulk_delete_cover_every_key()
    {
        await using var sdk = await SdkTestBed.StartAsync();
        var client = sdk.Client;

        await client.SaveBulkStateAsync("statestore",
            [new SaveStateItem<Order>("a", new Order(1), string.Empty), new SaveStateItem<Order>("b", new Order(2), string.Empty)]);
        var items = await client.GetBulkStateAsync<Order>("statestore", ["a", "b", "c"], parallelism: 2);

        Assert.Equal(["a", "b", "c"], items.Select(i => i.Key));
        Assert.Equal(new Order(1), items[0].Value);
        Assert.Equal(new Order(2), items[1].Value);
        Assert.Null(items[2].Value);
        Assert.Equal(string.Empty, items[2].ETag);

        await client.DeleteBulkStateAsync("statestore", [new BulkDeleteStateItem("a", items[0].ETag), new BulkDeleteStateItem("b", string.Empty)]);
        Assert.All(await client.GetBulkStateAsync("statestore", ["a", "b"], parallelism: 1), i => Assert.Equal(string.Empty, i.ETag));
    }

    [Fact]
    public async Task Delete_with_the_current_etag_removes_the_key_and_a_missing_key_is_no_error()
    {
        await using var sdk = await SdkTestBed.StartAsync();
        var client = sdk.Client;
        await client.SaveStateAsync("statestore", "k", new Order(1));
        var (_, etag) = await client.GetStateAndETagAsync<Order>("statestore", "k");

        Assert.True(await client.TryDeleteStateAsync("statestore", "k", etag));
        await client.DeleteStateAsync("statestore", "k");
        Assert.Null(await client.GetStateAsync<Order>("statestore", "k"));
    }

    // Inside a transaction daprd reports an ETag conflict as INTERNAL "error while executing state transaction"
    // (pkg/api/grpc/grpc.go ExecuteStateTransaction), and nothing of the transaction is written.
    [Fact]
    public async Task A_transaction_with_a_stale_etag_fails_with_internal_and_writes_nothing()
    {
        await using var sdk = await SdkTestBed.StartAsync();
        var client = sdk.Client;
        await client.SaveStateAsync("statestore", "k", new Order(1));

        var error = await Assert.ThrowsAsync<DaprException>(() => client.ExecuteStateTransactionAsync("statestore",
        [
            new StateTransactionRequest("other", "1"u8.ToArray(), StateOperationType.Upsert),
            new StateTransactionRequest("k", "2"u8.ToArray(), StateOperationType.Upsert, etag: "stale"),
        ]));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.Internal, rpc.StatusCode);
        Assert.StartsWith("error while executing state transaction:", rpc.Status.Detail, StringComparison.Ordinal);
        Assert.Null(await client.GetStateAsync<int?>("statestore", "other"));
    }

    [Theory]
    // GetStateStore: an unknown store is INVALID_ARGUMENT (pkg/api/universal/state.go; daprd keeps it for compatibility).
    [InlineData("nope", "k", StatusCode.InvalidArgument, "state store nope is not found")]
    // GetModifiedStateKey refuses "||" in a key (pkg/api/errors/state.go StateStoreInvalidKeyName).
    [InlineData("statestore", "a||b", StatusCode.InvalidArgument, "input key/keyPrefix 'a||b' can't contain '||'")]
    public async Task Refused_state_calls_carry_daprds_status_code(string store, string key, StatusCode code, string message)
    {
        await using var sdk = await SdkTestBed.StartAsync();

        var get = await Assert.ThrowsAsync<DaprException>(() => sdk.Client.GetStateAsync<Order>(store, key));
        var save = await Assert.ThrowsAsync<DaprException>(() => sdk.Client.SaveStateAsync(store, key, new Order(1)));

        foreach (var error in new[] { get, save })
        {
            var rpc = Assert.IsType<RpcException>(error.InnerException);
            Assert.Equal(code, rpc.StatusCode);
            Assert.Equal(message, rpc.Status.Detail);
        }
    }

    // SaveState refuses an empty key before touching the store (pkg/api/grpc/grpc.go SaveState).
    [Fact]
    public async Task An_empty_key_is_invalid_argument()
    {
        await using var sdk = await SdkTestBed.StartAsync();

        var error = await Assert.ThrowsAsync<DaprException>(() =>
            sdk.Client.SaveBulkStateAsync("statestore", [new SaveStateItem<Order>(string.Empty, new Order(1), string.Empty)]));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.Equal("state key cannot be empty", rpc.Status.Detail);
    }
}
