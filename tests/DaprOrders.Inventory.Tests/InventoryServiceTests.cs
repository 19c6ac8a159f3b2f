using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DaprOrders.Inventory.Stock;
using DaprOrders.Inventory.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DaprOrders.Inventory.Tests;

/// <summary>The service end to end on the emulator: HTTP API, subscriptions, the coordinator and the Stock actor.</summary>
public sealed class InventoryServiceTests : IAsyncLifetime
{
    private const string SaveState = "/dapr.proto.runtime.v1.Dapr/SaveState";
    private const string PublishEvent = "/dapr.proto.runtime.v1.Dapr/PublishEvent";
    private static readonly string ReserveMethod = $"/method/{nameof(IStockActor.ReserveAsync)}";

    private InventoryHost _host = null!;

    public async Task InitializeAsync() => _host = await InventoryHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Stock_can_be_set_read_and_listed()
    {
        await _host.SetStockAsync("sku-b", 5);
        await _host.SetStockAsync("sku-a", 7);

        var single = await _host.GetStockAsync("sku-b");
        using var list = await _host.Client.GetAsync(new Uri("/stock", UriKind.Relative));
        var listed = JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(5, single.GetProperty("available").GetInt32());
        Assert.Equal(0, single.GetProperty("reserved").GetInt32());
        Assert.Equal(["sku-a", "sku-b"], listed.EnumerateArray().Select(e => e.GetProperty("sku").GetString()));
        Assert.Equal(7, listed[0].GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task An_unknown_sku_is_a_404_problem()
    {
        using var response = await _host.Client.GetAsync(new Uri("/stock/never-stocked", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("""{"available":-1}""")]
    [InlineData("""{"available":1.5}""")]
    [InlineData("""{"available":"10"}""")]
    [InlineData("""{"units":10}""")]
    [InlineData("""[10]""")]
    [InlineData("""{"available":""")]
    public async Task Invalid_stock_levels_are_rejected_with_a_validation_problem(string body)
    {
        using var response = await _host.Client.PutAsync(new Uri("/stock/sku-1", UriKind.Relative),
            new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var missing = await _host.Client.GetAsync(new Uri("/stock/sku-1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task An_invalid_sku_is_rejected()
    {
        using var response = await _host.Client.PutAsync(new Uri("/stock/-bad", UriKind.Relative),
            new StringContent("""{"available":1}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task An_order_with_enough_stock_is_reserved_and_announced()
    {
        await _host.SetStockAsync("sku-1", 10);
        await _host.SetStockAsync("sku-2", 10);

        var status = await _host.OrderCreatedAsync("o1", ("sku-2", 1), ("sku-1", 2), ("sku-2", 3));

        Assert.Equal("SUCCESS", status);
        var reserved = Assert.Single(await _host.PublishedOfTypeAsync("daprorders.stock.reserved.v1"));
        Assert.Equal("stock-reserved", reserved.Topic);
        Assert.Equal("o1", reserved.Data.GetProperty("orderId").GetString());
        AssertJson("""[{"sku":"sku-1","quantity":2},{"sku":"sku-2","quantity":4}]""", reserved.Data.GetProperty("lines"));
        Assert.Equal(6, (await _host.GetStockAsync("sku-2")).GetProperty("available").GetInt32());
        Assert.Equal(4, (await _host.GetStockAsync("sku-2")).GetProperty("reserved").GetInt32());
    }

    [Fact]
    public async Task A_duplicate_order_created_republishes_but_never_reserves_twice()
    {
        await _host.SetStockAsync("sku-1", 10);

        await _host.OrderCreatedAsync("o1", ("sku-1", 4));
        var again = await _host.OrderCreatedAsync("o1", ("sku-1", 4));

        Assert.Equal("SUCCESS", again);
        Assert.Equal(6, (await _host.GetStockAsync("sku-1")).GetProperty("available").GetInt32());
        Assert.All(await _host.PublishedAsync(), e => Assert.Equal("daprorders.stock.reserved.v1", e.Type));
        // Republished as the same event (same CloudEvent id), so subscribers drop the repeat.
        Assert.All(await _host.PublishedAsync(), e => Assert.Equal("stock-reserved-o1", e.Id));
        Assert.Equal(2, (await _host.PublishedAsync()).Count);

        // The first repeat marked the record; a later one only tries its claim (refused) and reads the record: it asks
        // no actor and announces nothing.
        Assert.True((await _host.StateAsync("reservation-o1"))!.Value.GetProperty("reannounced").GetBoolean());
        var before = _host.Faults.Calls.Count;
        Assert.Equal("SUCCESS", await _host.OrderCreatedAsync("o1", ("sku-1", 4)));
        Assert.Equal([SaveState, "/dapr.proto.runtime.v1.Dapr/GetState"], _host.Faults.Calls.Skip(before).Select(c => c.Path));
        Assert.Equal(2, (await _host.PublishedAsync()).Count);
        Assert.Equal(6, (await _host.GetStockAsync("sku-1")).GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task A_short_line_rejects_the_whole_order_and_gives_back_what_was_held()
    {
        await _host.SetStockAsync("sku-1", 10);
        await _host.SetStockAsync("sku-2", 1);

        var status = await _host.OrderCreatedAsync("o1", ("sku-1", 3), ("sku-2", 2));

        Assert.Equal("SUCCESS", status);
        var rejected = Assert.Single(await _host.PublishedAsync());
        Assert.Equal("daprorders.stock.rejected.v1", rejected.Type);
        AssertJson("""[{"sku":"sku-2","requested":2,"available":1}]""", rejected.Data.GetProperty("shortages"));
        var sku1 = await _host.GetStockAsync("sku-1");
        Assert.Equal((10, 0), (sku1.GetProperty("available").GetInt32(), sku1.GetProperty("reserved").GetInt32()));
    }

    [Fact]
    public async Task An_unknown_sku_in_an_order_is_a_rejection_not_an_error()
    {
        var status = await _host.OrderCreatedAsync("o1", ("ghost", 1));

        Assert.Equal("SUCCESS", status);
        var rejected = Assert.Single(await _host.PublishedOfTypeAsync("daprorders.stock.rejected.v1"));
        Assert.Equal(0, rejected.Data.GetProperty("shortages")[0].GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task A_cancellation_before_creation_leaves_a_tombstone_so_the_late_order_never_reserves()
    {
        await _host.SetStockAsync("sku-1", 10);

        Assert.Equal("SUCCESS", await _host.OrderCancelledAsync("o1"));
        Assert.Equal("SUCCESS", await _host.OrderCreatedAsync("o1", ("sku-1", 4)));

        Assert.Empty(await _host.PublishedAsync());
        Assert.Equal(10, (await _host.GetStockAsync("sku-1")).GetProperty("available").GetInt32());
        Assert.Equal("CancelledBeforeReservation",
            (await _host.StateAsync("reservation-o1"))!.Value.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Cancelling_a_reserved_order_releases_its_stock_and_announces_it()
    {
        await _host.SetStockAsync("sku-1", 10);
        await _host.OrderCreatedAsync("o1", ("sku-1", 4));

        Assert.Equal("SUCCESS", await _host.OrderCancelledAsync("o1"));

        var released = Assert.Single(await _host.PublishedOfTypeAsync("daprorders.stock.released.v1"));
        AssertJson("""[{"sku":"sku-1","quantity":4}]""", released.Data.GetProperty("lines"));
        Assert.Equal("stock-released-o1", released.Id);
        var stock = await _host.GetStockAsync("sku-1");
        Assert.Equal((10, 0), (stock.GetProperty("available").GetInt32(), stock.GetProperty("reserved").GetInt32()));

        // A redelivered order.created after the release must not take the stock again.
        Assert.Equal("SUCCESS", await _host.OrderCreatedAsync("o1", ("sku-1", 4)));
        Assert.Equal(10, (await _host.GetStockAsync("sku-1")).GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task A_duplicate_cancellation_releases_and_announces_nothing_more()
    {
        await _host.SetStockAsync("sku-1", 10);
        await _host.OrderCreatedAsync("o1", ("sku-1", 4));
        await _host.OrderCancelledAsync("o1");

        Assert.Equal("SUCCESS", await _host.OrderCancelledAsync("o1"));

        Assert.Single(await _host.PublishedOfTypeAsync("daprorders.stock.released.v1"));
        Assert.Equal(10, (await _host.GetStockAsync("sku-1")).GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task A_crash_before_recording_a_release_announces_it_again_on_redelivery()
    {
        await _host.SetStockAsync("sku-1", 10);
        await _host.OrderCreatedAsync("o1", ("sku-1", 4));
        var failures = 1;
        _host.Faults.FailWhen = call => call.Path == SaveState && call.Body.Contains("\"Released\"", StringComparison.Ordinal)
            && Interlocked.Decrement(ref failures) >= 0;

        Assert.Equal("500", await _host.OrderCancelledAsync("o1"));
        Assert.Equal("SUCCESS", await _host.OrderCancelledAsync("o1"));

        Assert.Equal(2, (await _host.PublishedOfTypeAsync("daprorders.stock.released.v1")).Count);
        Assert.Equal("Released", (await _host.StateAsync("reservation-o1"))!.Value.GetProperty("status").GetString());
        Assert.Equal(10, (await _host.GetStockAsync("sku-1")).GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task Cancelling_a_rejected_order_publishes_nothing()
    {
        await _host.OrderCreatedAsync("o1", ("ghost", 1));

        Assert.Equal("SUCCESS", await _host.OrderCancelledAsync("o1"));

        Assert.Empty(await _host.PublishedOfTypeAsync("daprorders.stock.released.v1"));
    }

    [Fact]
    public async Task A_failed_reserve_after_the_claim_converges_on_redelivery()
    {
        await _host.SetStockAsync("sku-1", 10);
        var failures = 1;
        _host.Faults.FailWhen = call => call.Path.EndsWith(ReserveMethod, StringComparison.Ordinal) && Interlocked.Decrement(ref failures) >= 0;

        Assert.Equal("500", await _host.OrderCreatedAsync("o1", ("sku-1", 4)));
        Assert.Equal("Claimed", (await _host.StateAsync("reservation-o1"))!.Value.GetProperty("status").GetString());
        Assert.Equal("SUCCESS", await _host.OrderCreatedAsync("o1", ("sku-1", 4)));

        Assert.Single(await _host.PublishedOfTypeAsync("daprorders.stock.reserved.v1"));
        Assert.Equal(6, (await _host.GetStockAsync("sku-1")).GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task A_cancellation_of_a_claimed_order_that_never_reached_the_stock_blocks_its_late_reserve()
    {
        await _host.SetStockAsync("sku-1", 10);
        _host.Faults.FailWhen = call => call.Path.EndsWith(ReserveMethod, StringComparison.Ordinal);
        Assert.Equal("500", await _host.OrderCreatedAsync("o1", ("sku-1", 4)));
        _host.Faults.FailWhen = _ => false;

        Assert.Equal("SUCCESS", await _host.OrderCancelledAsync("o1"));
        Assert.Equal("SUCCESS", await _host.OrderCreatedAsync("o1", ("sku-1", 4)));

        Assert.Empty(await _host.PublishedAsync());
        Assert.Equal(10, (await _host.GetStockAsync("sku-1")).GetProperty("available").GetInt32());
        Assert.Equal("Released", (await _host.StateAsync("reservation-o1"))!.Value.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_crash_before_publishing_converges_on_redelivery()
    {
        await _host.SetStockAsync("sku-1", 10);
        await _host.SetStockAsync("sku-2", 10);
        var failures = 1;
        _host.Faults.FailWhen = call => call.Path == PublishEvent && Interlocked.Decrement(ref failures) >= 0;

        var first = await _host.OrderCreatedAsync("o1", ("sku-1", 2), ("sku-2", 3));
        var second = await _host.OrderCreatedAsync("o1", ("sku-1", 2), ("sku-2", 3));

        Assert.Equal("500", first);
        Assert.Equal("SUCCESS", second);
        Assert.Single(await _host.PublishedOfTypeAsync("daprorders.stock.reserved.v1"));
        Assert.Equal(8, (await _host.GetStockAsync("sku-1")).GetProperty("available").GetInt32());
        Assert.Equal(7, (await _host.GetStockAsync("sku-2")).GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task A_failed_claim_reserves_nothing_and_converges_on_redelivery()
    {
        await _host.SetStockAsync("sku-1", 10);
        var failures = 1;
        _host.Faults.FailWhen = call => call.Path == SaveState && call.Body.Contains("reservation-o1", StringComparison.Ordinal)
            && Interlocked.Decrement(ref failures) >= 0;

        Assert.Equal("500", await _host.OrderCreatedAsync("o1", ("sku-1", 4)));
        Assert.Equal(10, (await _host.GetStockAsync("sku-1")).GetProperty("available").GetInt32());
        Assert.Equal("SUCCESS", await _host.OrderCreatedAsync("o1", ("sku-1", 4)));

        Assert.Single(await _host.PublishedOfTypeAsync("daprorders.stock.reserved.v1"));
        Assert.Equal(6, (await _host.GetStockAsync("sku-1")).GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task A_crash_while_giving_back_a_rejected_order_converges_on_redelivery()
    {
        await _host.SetStockAsync("sku-1", 10);
        var failures = 1;
        _host.Faults.FailWhen = call => call.Path.EndsWith($"/method/{nameof(IStockActor.ReleaseAsync)}", StringComparison.Ordinal)
            && Interlocked.Decrement(ref failures) >= 0;

        Assert.Equal("500", await _host.OrderCreatedAsync("o1", ("sku-1", 4), ("sku-2", 1)));
        Assert.Equal(6, (await _host.GetStockAsync("sku-1")).GetProperty("available").GetInt32());
        Assert.Equal("SUCCESS", await _host.OrderCreatedAsync("o1", ("sku-1", 4), ("sku-2", 1)));

        Assert.Single(await _host.PublishedOfTypeAsync("daprorders.stock.rejected.v1"));
        Assert.Equal(10, (await _host.GetStockAsync("sku-1")).GetProperty("available").GetInt32());

        // The redelivery that gave back and announced marked the record: later repeats ask no actor and announce nothing.
        var before = _host.Faults.Calls.Count;
        Assert.Equal("SUCCESS", await _host.OrderCreatedAsync("o1", ("sku-1", 4), ("sku-2", 1)));
        Assert.Equal("SUCCESS", await _host.OrderCreatedAsync("o1", ("sku-1", 4), ("sku-2", 1)));
        Assert.DoesNotContain(_host.Faults.Calls.Skip(before), c => c.Path.Contains("/actors/", StringComparison.Ordinal));
        Assert.Single(await _host.PublishedOfTypeAsync("daprorders.stock.rejected.v1"));
        Assert.Equal(10, (await _host.GetStockAsync("sku-1")).GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task Two_hundred_concurrent_orders_for_fifty_units_reserve_exactly_fifty()
    {
        await _host.SetStockAsync("hot", 50);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => _host.OrderCreatedAsync($"o{i}", ("hot", 1))));

        Assert.All(statuses, s => Assert.Equal("SUCCESS", s));
        Assert.Equal(50, (await _host.PublishedOfTypeAsync("daprorders.stock.reserved.v1")).Count);
        Assert.Equal(150, (await _host.PublishedOfTypeAsync("daprorders.stock.rejected.v1")).Count);
        var stock = await _host.GetStockAsync("hot");
        Assert.Equal((0, 50), (stock.GetProperty("available").GetInt32(), stock.GetProperty("reserved").GetInt32()));

        // Cancelling ten of them (twice each, concurrently) gives back exactly ten units.
        var cancelled = (await _host.PublishedOfTypeAsync("daprorders.stock.reserved.v1")).Take(10)
            .Select(e => e.Data.GetProperty("orderId").GetString()!).ToList();
        var cancellations = await Task.WhenAll(cancelled.Concat(cancelled).Select(_host.OrderCancelledAsync));
        Assert.All(cancellations, s => Assert.Equal("SUCCESS", s));
        stock = await _host.GetStockAsync("hot");
        Assert.Equal((10, 40, 0), (stock.GetProperty("available").GetInt32(), stock.GetProperty("reserved").GetInt32(),
            stock.GetProperty("committed").GetInt32()));
    }

    [Fact]
    public async Task Concurrent_orders_across_skus_are_all_or_nothing_and_never_oversell()
    {
        await _host.SetStockAsync("a", 10);
        await _host.SetStockAsync("b", 5);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => i % 3 == 0
            ? _host.OrderCreatedAsync($"o{i}", ("b", 1), ("a", 1))
            : _host.OrderCreatedAsync($"o{i}", ("a", 1), ("b", 1))));

        Assert.All(statuses, s => Assert.Equal("SUCCESS", s));
        var reserved = await _host.PublishedOfTypeAsync("daprorders.stock.reserved.v1");
        Assert.Equal(5, reserved.Count);
        Assert.Equal(25, (await _host.PublishedOfTypeAsync("daprorders.stock.rejected.v1")).Count);
        // Every rejected order gave back what it held on the other SKU: each SKU holds exactly the reserved orders' units.
        var a = await _host.GetStockAsync("a");
        var b = await _host.GetStockAsync("b");
        Assert.Equal((5, 5), (a.GetProperty("available").GetInt32(), a.GetProperty("reserved").GetInt32()));
        Assert.Equal((0, 5), (b.GetProperty("available").GetInt32(), b.GetProperty("reserved").GetInt32()));
    }

    [Fact]
    public async Task Racing_duplicates_of_one_order_reserve_once()
    {
        await _host.SetStockAsync("sku-1", 100);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _host.OrderCreatedAsync("o1", ("sku-1", 7))));

        Assert.All(statuses, s => Assert.Equal("SUCCESS", s));
        Assert.Equal(93, (await _host.GetStockAsync("sku-1")).GetProperty("available").GetInt32());
        Assert.NotEmpty(await _host.PublishedOfTypeAsync("daprorders.stock.reserved.v1"));
        Assert.Empty(await _host.PublishedOfTypeAsync("daprorders.stock.rejected.v1"));
    }

    [Fact]
    public async Task A_cancellation_racing_the_creation_never_leaves_stock_held()
    {
        await _host.SetStockAsync("sku-1", 1000);

        await Task.WhenAll(Enumerable.Range(0, 30).SelectMany(i => new[]
        {
            _host.OrderCreatedAsync($"o{i}", ("sku-1", 5)),
            _host.OrderCancelledAsync($"o{i}"),
        }));
        // Whatever the interleaving, once both events are handled (and redelivered) nothing stays reserved.
        for (var i = 0; i < 30; i++)
        {
            await _host.OrderCreatedAsync($"o{i}", ("sku-1", 5));
            await _host.OrderCancelledAsync($"o{i}");
        }

        var stock = await _host.GetStockAsync("sku-1");
        Assert.Equal((1000, 0), (stock.GetProperty("available").GetInt32(), stock.GetProperty("reserved").GetInt32()));
    }

    [Fact]
    public async Task Malformed_event_data_is_dropped()
    {
        Assert.Equal("DROP", await _host.DeliverAsync("/events/orders/created", "daprorders.order.created.v1",
            new JsonObject { ["orderId"] = "o1", ["lines"] = "not-a-list" }));
        Assert.Equal("DROP", await _host.DeliverAsync("/events/orders/created", "daprorders.order.created.v1",
            JsonNode.Parse("""{"orderId":"o1","customerId":"c","currency":"EUR","lines":[],"total":{"amount":0,"currency":"EUR"},"createdAt":"2026-01-01T00:00:00Z"}""")));
        Assert.Equal("DROP", await _host.DeliverAsync("/events/orders/cancelled", "daprorders.order.cancelled.v1", null));
    }

    [Fact]
    public async Task Subscribes_only_to_the_topics_of_the_types_it_handles_one_rule_each_and_not_to_completions()
    {
        var subscriptions = TypedSubscriptions.Read(await _host.GetSidecarFacingAsync("/dapr/subscribe"));

        Assert.Equal(new Dictionary<string, (string, string)>
        {
            ["order-created"] = (TypedSubscriptions.Match("daprorders.order.created.v1"), "events/orders/created"),
            ["order-cancelled"] = (TypedSubscriptions.Match("daprorders.order.cancelled.v1"), "events/orders/cancelled"),
        }, subscriptions);
    }

    [Fact]
    public async Task The_stock_actor_type_is_registered_with_daprd()
    {
        var config = await _host.GetSidecarFacingAsync("/dapr/config");

        Assert.Equal(["Stock"], config.GetProperty("entities").EnumerateArray().Select(e => e.GetString()));
    }

    // The data went through the broker, which re-encodes JSON as daprd does (keys sorted): compare values, not text.
    private static void AssertJson(string expected, JsonElement actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual.GetRawText())), $"expected {expected}, got {actual.GetRawText()}");

    [Fact]
    public async Task The_public_api_is_described_without_the_sidecar_routes()
    {
        var document = await _host.Client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var paths = JsonDocument.Parse(document).RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Contains("/stock/{sku}", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("/events", StringComparison.Ordinal) || p.StartsWith("/actors", StringComparison.Ordinal));
    }
}

public sealed class KestrelHostingTests
{
    [Fact]
    public async Task The_service_runs_on_a_real_port_under_WebApplicationFactory()
    {
        await using var host = await InventoryHost.StartAsync();

        var address = Assert.Single(host.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses);
        Assert.StartsWith("http://127.0.0.1:", address, StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
    }
}

public sealed class DemoSeedingTests
{
    [Fact]
    public async Task Demo_stock_is_seeded_in_the_background_when_enabled()
    {
        await using var host = await InventoryHost.StartAsync(new Dictionary<string, string?> { ["Inventory:SeedDemoStock"] = "true" });

        var listed = await PollListAsync(host, 5);

        Assert.Equal(["sku-1", "sku-2", "sku-3", "sku-4", "sku-5"], listed.EnumerateArray().Select(e => e.GetProperty("sku").GetString()));
        Assert.All(listed.EnumerateArray(), e => Assert.Equal(1000, e.GetProperty("available").GetInt32()));
    }

    [Fact]
    public async Task Seeding_leaves_stock_an_operator_already_set()
    {
        await using var host = await InventoryHost.StartAsync();
        await host.SetStockAsync("sku-3", 7);

        // The seeder's call, through the same typed proxy and the emulator's actor API.
        var seeded = await host.Services.GetRequiredService<StockActors>().For("sku-3").InitializeAsync(1000);

        Assert.Equal(7, seeded.Available);
        Assert.Equal(7, (await host.GetStockAsync("sku-3")).GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task Nothing_is_seeded_by_default()
    {
        await using var host = await InventoryHost.StartAsync();

        using var response = await host.Client.GetAsync(new Uri("/stock/sku-1", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static async Task<JsonElement> PollListAsync(InventoryHost host, int count)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        JsonElement listed;
        do
        {
            listed = JsonDocument.Parse(await host.Client.GetStringAsync(new Uri("/stock", UriKind.Relative))).RootElement;
        }
        while (listed.GetArrayLength() < count && DateTimeOffset.UtcNow < deadline);

        return listed;
    }
}

public sealed class InventoryMetricsTests
{
    [Fact]
    public async Task Stock_levels_are_exported_as_gauges_per_sku()
    {
        await using var host = await InventoryHost.StartAsync();
        await host.SetStockAsync("sku-m", 10);
        await host.OrderCreatedAsync("o1", ("sku-m", 3));

        var measurements = new List<(string Instrument, int Value, string? Sku)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == DaprOrders.Inventory.Telemetry.InventoryMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) =>
        {
            lock (measurements)
            {
                measurements.Add((instrument.Name, value, tags.ToArray().FirstOrDefault(t => t.Key == "sku").Value as string));
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Contains((DaprOrders.Inventory.Telemetry.InventoryMetrics.Available, 7, "sku-m"), measurements);
        Assert.Contains((DaprOrders.Inventory.Telemetry.InventoryMetrics.Reserved, 3, "sku-m"), measurements);
    }
}

/// <summary>A reservation is final unless cancelled; the Stock actors forget each order after the hold retention.</summary>
public sealed class HoldRetentionTests
{
    private static readonly TimeSpan Retention = TimeSpan.FromHours(2);

    [Fact]
    public async Task After_the_hold_retention_a_reservation_is_committed_and_late_events_change_nothing()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        await using var host = await InventoryHost.StartAsync(
            new Dictionary<string, string?> { ["Inventory:HoldRetention"] = Retention.ToString() }, clock);
        await host.SetStockAsync("sku-1", 10);
        await host.OrderCreatedAsync("o1", ("sku-1", 4));
        Assert.Equal((6, 4, 0), Levels(await host.GetStockAsync("sku-1")));

        clock.Advance(Retention);

        Assert.Equal((6, 0, 4), Levels(await host.GetStockAsync("sku-1")));
        // A redelivery this late never reserves again, and a cancellation this late finds the units committed.
        Assert.Equal("SUCCESS", await host.OrderCreatedAsync("o1", ("sku-1", 4)));
        Assert.Equal("SUCCESS", await host.OrderCancelledAsync("o1"));
        Assert.Equal((6, 0, 4), Levels(await host.GetStockAsync("sku-1")));
        Assert.Single(await host.PublishedAsync());
    }

    [Fact]
    public async Task Within_the_hold_retention_a_cancellation_still_gives_the_units_back()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        await using var host = await InventoryHost.StartAsync(
            new Dictionary<string, string?> { ["Inventory:HoldRetention"] = Retention.ToString() }, clock);
        await host.SetStockAsync("sku-1", 10);
        await host.OrderCreatedAsync("o1", ("sku-1", 4));

        clock.Advance(Retention - InventoryOptions.ClockSkewAllowance - TimeSpan.FromSeconds(1));

        Assert.Equal("SUCCESS", await host.OrderCancelledAsync("o1"));
        Assert.Equal((10, 0, 0), Levels(await host.GetStockAsync("sku-1")));
        Assert.Single(await host.PublishedOfTypeAsync("daprorders.stock.released.v1"));
    }

    private static (int Available, int Reserved, int Committed) Levels(JsonElement stock) =>
        (stock.GetProperty("available").GetInt32(), stock.GetProperty("reserved").GetInt32(), stock.GetProperty("committed").GetInt32());
}
