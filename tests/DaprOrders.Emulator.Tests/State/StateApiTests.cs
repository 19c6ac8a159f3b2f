using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DaprOrders.Emulator.Tests.Infrastructure;

namespace DaprOrders.Emulator.Tests.State;

// Wire notes 3: save/get/delete/bulk/transaction, ETags, first-write, key prefixes, errors.
public sealed class StateApiTests
{
    private static Task<EmulatorTestBed> StartAsync(ResourceFolder? resources = null) =>
        EmulatorTestBed.StartAsync(resources ?? new ResourceFolder().WithStateStore(), new Dictionary<string, TestApp?> { ["orders"] = null, ["billing"] = null });

    private static async Task<HttpResponseMessage> DeleteAsync(EmulatorTestBed bed, string key, string? etag = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, bed.Sidecar("orders", $"/v1.0/state/statestore/{key}"));
        if (etag is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", etag);
        }

        return await bed.Http.SendAsync(request);
    }

    [Fact]
    public async Task Save_then_get_returns_the_value_as_json_with_an_etag_and_missing_keys_are_204()
    {
        await using var bed = await StartAsync();

        var save = await bed.PostJsonAsync("orders", "/v1.0/state/statestore",
            """[{"key":"order-1","value":{"qty":2,"id":1}},{"key":"text","value":"2"}]""");
        var get = await bed.Http.GetAsync(bed.Sidecar("orders", "/v1.0/state/statestore/order-1"));
        var text = await bed.Http.GetStringAsync(bed.Sidecar("orders", "/v1.0/state/statestore/text"));
        var missing = await bed.Http.GetAsync(bed.Sidecar("orders", "/v1.0/state/statestore/nope"));

        Assert.Equal(HttpStatusCode.NoContent, save.StatusCode);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("application/json", get.Content.Headers.ContentType!.MediaType);
        Assert.Equal("{\"id\":1,\"qty\":2}", await get.Content.ReadAsStringAsync());
        Assert.False(string.IsNullOrEmpty(get.Headers.ETag?.Tag ?? get.Headers.GetValues("ETag").First()));
        Assert.Equal("\"2\"", text);
        Assert.Equal(HttpStatusCode.NoContent, missing.StatusCode);
        Assert.Empty(await missing.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Every_write_issues_a_new_etag_and_a_stale_etag_is_409_on_save_and_delete()
    {
        await using var bed = await StartAsync();
        await bed.PostJsonAsync("orders", "/v1.0/state/statestore", """[{"key":"k","value":1}]""");
        var first = (await bed.Http.GetAsync(bed.Sidecar("orders", "/v1.0/state/statestore/k"))).Headers.GetValues("ETag").Single();

        var update = await bed.PostJsonAsync("orders", "/v1.0/state/statestore", $$"""[{"key":"k","value":2,"etag":"{{first}}"}]""");
        var second = (await bed.Http.GetAsync(bed.Sidecar("orders", "/v1.0/state/statestore/k"))).Headers.GetValues("ETag").Single();
        var stale = await bed.PostJsonAsync("orders", "/v1.0/state/statestore", $$"""[{"key":"k","value":3,"etag":"{{first}}"}]""");
        var staleDelete = await DeleteAsync(bed, "k", first);
        var delete = await DeleteAsync(bed, "k", second);
        var deleteMissing = await DeleteAsync(bed, "never");

        Assert.Equal(HttpStatusCode.NoContent, update.StatusCode);
        Assert.NotEqual(first, second);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal("ERR_STATE_SAVE", JsonNode.Parse(await stale.Content.ReadAsStringAsync())!["errorCode"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, staleDelete.StatusCode);
        Assert.Equal("ERR_STATE_DELETE", JsonNode.Parse(await staleDelete.Content.ReadAsStringAsync())!["errorCode"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleteMissing.StatusCode);
    }

    [Fact]
    public async Task First_write_without_etag_fails_when_the_key_exists()
    {
        await using var bed = await StartAsync();
        const string FirstWrite = """[{"key":"k","value":1,"options":{"concurrency":"first-write"}}]""";

        var created = await bed.PostJsonAsync("orders", "/v1.0/state/statestore", FirstWrite);
        var again = await bed.PostJsonAsync("orders", "/v1.0/state/statestore", FirstWrite);
        var lastWrite = await bed.PostJsonAsync("orders", "/v1.0/state/statestore", """[{"key":"k","value":2}]""");

        Assert.Equal(HttpStatusCode.NoContent, created.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, lastWrite.StatusCode);
    }

    [Fact]
    public async Task A_multi_item_save_is_not_atomic_the_other_items_land_and_the_conflict_is_409()
    {
        await using var bed = await StartAsync();
        await bed.PostJsonAsync("orders", "/v1.0/state/statestore", """[{"key":"taken","value":1}]""");

        var save = await bed.PostJsonAsync("orders", "/v1.0/state/statestore", """
            [{"key":"before","value":"b"},
             {"key":"taken","value":2,"etag":"stale"},
             {"key":"after","value":"a"}]
            """);

        Assert.Equal(HttpStatusCode.Conflict, save.StatusCode);
        Assert.Equal("ERR_STATE_SAVE", JsonNode.Parse(await save.Content.ReadAsStringAsync())!["errorCode"]!.GetValue<string>());
        Assert.Equal("\"b\"", await bed.Http.GetStringAsync(bed.Sidecar("orders", "/v1.0/state/statestore/before")));
        Assert.Equal("\"a\"", await bed.Http.GetStringAsync(bed.Sidecar("orders", "/v1.0/state/statestore/after")));
        Assert.Equal("1", await bed.Http.GetStringAsync(bed.Sidecar("orders", "/v1.0/state/statestore/taken")));
    }

    [Fact]
    public async Task Transactions_are_all_or_nothing_and_an_etag_conflict_inside_is_500_state_transaction()
    {
        await using var bed = await StartAsync();
        await bed.PostJsonAsync("orders", "/v1.0/state/statestore", """[{"key":"a","value":1}]""");

        var failed = await bed.PostJsonAsync("orders", "/v1.0/state/statestore/transaction", """
            {"operations":[{"operation":"upsert","request":{"key":"b","value":2}},
                           {"operation":"delete","request":{"key":"a","etag":"wrong"}}]}
            """);
        var afterFailure = await bed.Http.GetAsync(bed.Sidecar("orders", "/v1.0/state/statestore/b"));
        var ok = await bed.PostJsonAsync("orders", "/v1.0/state/statestore/transaction", """
            {"operations":[{"operation":"upsert","request":{"key":"b","value":2}},{"operation":"delete","request":{"key":"a"}}]}
            """);
        var badOp = await bed.PostJsonAsync("orders", "/v1.0/state/statestore/transaction", """
            {"operations":[{"operation":"Upsert","request":{"key":"c","value":1}}]}
            """);
        var empty = await bed.PostJsonAsync("orders", "/v1.0/state/statestore/transaction", """{"operations":[]}""");

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal("ERR_STATE_TRANSACTION", JsonNode.Parse(await failed.Content.ReadAsStringAsync())!["errorCode"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, afterFailure.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);
        Assert.Equal("2", await bed.Http.GetStringAsync(bed.Sidecar("orders", "/v1.0/state/statestore/b")));
        Assert.Equal(HttpStatusCode.NoContent, (await bed.Http.GetAsync(bed.Sidecar("orders", "/v1.0/state/statestore/a"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badOp.StatusCode);
        Assert.Equal("ERR_NOT_SUPPORTED_STATE_OPERATION", JsonNode.Parse(await badOp.Content.ReadAsStringAsync())!["errorCode"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, empty.StatusCode);
    }

    [Fact]
    public async Task Bulk_get_answers_in_request_order_with_only_the_key_for_misses()
    {
        await using var bed = await StartAsync();
        await bed.PostJsonAsync("orders", "/v1.0/state/statestore", """[{"key":"a","value":{"x":1}},{"key":"c","value":"s"}]""");

        var response = await bed.PostJsonAsync("orders", "/v1.0/state/statestore/bulk", """{"keys":["c","b","a"],"parallelism":10}""");

        var items = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(["c", "b", "a"], items.Select(i => i!["key"]!.GetValue<string>()).ToArray());
        Assert.Equal("\"s\"", items[0]!["data"]!.ToJsonString());
        Assert.Equal(["key"], items[1]!.AsObject().Select(p => p.Key).ToArray());
        Assert.Equal("{\"x\":1}", items[2]!["data"]!.ToJsonString());
        Assert.NotNull(items[2]!["etag"]);
    }

    [Fact]
    public async Task Keys_are_prefixed_with_the_app_id_so_apps_do_not_see_each_others_state()
    {
        await using var bed = await StartAsync();
        await bed.PostJsonAsync("orders", "/v1.0/state/statestore", """[{"key":"shared","value":"mine"}]""");

        var fromBilling = await bed.Http.GetAsync(bed.Sidecar("billing", "/v1.0/state/statestore/shared"));

        Assert.Equal(HttpStatusCode.NoContent, fromBilling.StatusCode);
        Assert.Equal(["orders||shared"], bed.StateStores.All.Single().Store.Keys());
    }

    [Theory]
    [InlineData("name", "statestore||k")]
    [InlineData("none", "k")]
    [InlineData("custom", "custom||k")]
    [InlineData("namespace", "orders||k")]
    [InlineData("AppID", "orders||k")]
    public async Task Key_prefix_metadata_selects_the_stored_key(string keyPrefix, string storedKey)
    {
        await using var bed = await StartAsync(new ResourceFolder().WithStateStore(metadata: $"""
                - name: keyPrefix
                  value: {keyPrefix}
            """));

        await bed.PostJsonAsync("orders", "/v1.0/state/statestore", """[{"key":"k","value":1}]""");
        var bulk = await bed.PostJsonAsync("orders", "/v1.0/state/statestore/bulk", """{"keys":["k"]}""");

        Assert.Equal([storedKey], bed.StateStores.All.Single().Store.Keys());
        Assert.Equal("k", JsonNode.Parse(await bulk.Content.ReadAsStringAsync())![0]!["key"]!.GetValue<string>());
    }

    [Fact]
    public async Task Keys_containing_the_separator_are_400_and_unknown_or_out_of_scope_stores_are_not_found()
    {
        await using var bed = await StartAsync(new ResourceFolder().WithStateStore().WithStateStore("private", scopes: "scopes: [billing]"));

        var badKey = await bed.PostJsonAsync("orders", "/v1.0/state/statestore", """[{"key":"a||b","value":1}]""");
        var unknown = await bed.Http.GetAsync(bed.Sidecar("orders", "/v1.0/state/nope/k"));
        var scoped = await bed.Http.GetAsync(bed.Sidecar("orders", "/v1.0/state/private/k"));
        var visible = await bed.Http.GetAsync(bed.Sidecar("billing", "/v1.0/state/private/k"));

        Assert.Equal(HttpStatusCode.BadRequest, badKey.StatusCode);
        Assert.Equal("ERR_MALFORMED_REQUEST", JsonNode.Parse(await badKey.Content.ReadAsStringAsync())!["errorCode"]!.GetValue<string>());
        // daprd sets exactly this header on its error bodies (no charset parameter).
        Assert.Equal("application/json", badKey.Content.Headers.ContentType!.ToString());
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("ERR_STATE_STORE_NOT_FOUND", JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!["errorCode"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, scoped.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, visible.StatusCode);
    }

    [Fact]
    public async Task Ttl_metadata_expires_values_on_the_emulator_clock()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var bed = await EmulatorTestBed.StartAsync(new ResourceFolder().WithStateStore(), new Dictionary<string, TestApp?> { ["orders"] = null }, clock);

        await bed.PostJsonAsync("orders", "/v1.0/state/statestore?metadata.ttlInSeconds=60", """[{"key":"k","value":1}]""");
        var live = await bed.Http.GetAsync(bed.Sidecar("orders", "/v1.0/state/statestore/k"));
        await bed.AdvanceAsync(TimeSpan.FromSeconds(60));
        var expired = await bed.Http.GetAsync(bed.Sidecar("orders", "/v1.0/state/statestore/k"));

        Assert.Equal("2026-01-01T00:01:00Z", live.Headers.GetValues("metadata.ttlExpireTime").Single());
        Assert.Equal(HttpStatusCode.NoContent, expired.StatusCode);
    }

    [Fact]
    public async Task A_non_array_body_is_a_malformed_request()
    {
        await using var bed = await StartAsync();

        using var content = new StringContent("""{"key":"k","value":1}""", Encoding.UTF8, "application/json");
        var response = await bed.Http.PostAsync(bed.Sidecar("orders", "/v1.0/state/statestore"), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
