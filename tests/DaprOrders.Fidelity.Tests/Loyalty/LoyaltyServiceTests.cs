using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapr.Client;
using DaprOrders.Emulator;
using DaprOrders.Emulator.PubSub;
using DaprOrders.Fidelity.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using DaprOrders.Testing;

namespace DaprOrders.Fidelity.Tests.Loyalty;

/// <summary>
/// The polyglot consumer services/loyalty (JavaScript, @dapr/dapr) behind the emulator with the repository's default
/// components, exactly as `dapr run -f .` starts it: node server.mjs with APP_PORT and DAPR_HTTP_PORT. Events are
/// published as Ordering publishes them (app-id ordering, topic order-completed, CloudEvent type from the AsyncAPI document).
/// </summary>
public sealed class LoyaltyServiceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Loyalty_awards_points_per_whole_currency_unit_once_per_order_and_dead_letters_a_foreign_type()
    {
        await using var loyalty = await LoyaltyRun.StartAsync(output);
        var customer = "c-" + Guid.NewGuid().ToString("N")[..8];

        await loyalty.PublishCompletedAsync("o-1", customer, 1999, "EUR");   // EUR 19.99 → 19
        await loyalty.PublishCompletedAsync("o-2", customer, 1999, "JPY");   // JPY has no minor unit → 1999
        await loyalty.PublishCompletedAsync("o-3", customer, 1999, "KWD");   // KWD has three → 1
        await loyalty.PublishCompletedAsync("o-1", customer, 1999, "EUR");   // redelivery of o-1 (new event id) → nothing
        await loyalty.PublishAsync("daprorders.order.created.v1", new JsonObject { ["orderId"] = "o-4", ["customerId"] = customer });
        await loyalty.Broker.WaitForIdleAsync(Deadline);

        var points = await loyalty.PointsAsync(customer);
        Assert.Equal(19 + 1999 + 1, points["points"]!.GetValue<long>());
        Assert.Equal(3, points["orders"]!.GetValue<int>());
        // order.created does not belong on order-completed: no rule matches and there is no default route, so the
        // sidecar dead-letters it without calling the app.
        Assert.Equal(1, loyalty.DeadLetters);
        Assert.Equal(0, (await loyalty.PointsAsync("nobody"))["points"]!.GetValue<long>());
    }

    [Fact]
    public async Task Concurrent_completions_for_one_customer_are_all_counted_through_etag_conflicts()
    {
        await using var loyalty = await LoyaltyRun.StartAsync(output);
        var customer = "c-" + Guid.NewGuid().ToString("N")[..8];

        // Delivered concurrently by the emulator: the read-modify-writes of one account race and retry.
        await Task.WhenAll(Enumerable.Range(1, 20).Select(i => loyalty.PublishCompletedAsync($"race-{customer}-{i}", customer, 500, "USD")));
        await loyalty.Broker.WaitForIdleAsync(Deadline);

        var points = await loyalty.PointsAsync(customer);
        Assert.Equal(20 * 5, points["points"]!.GetValue<long>());
        Assert.Equal(20, points["orders"]!.GetValue<int>());
        Assert.Equal(0, loyalty.DeadLetters);
    }

    [Fact]
    public async Task An_order_completed_event_that_breaks_the_schema_is_dropped_to_the_dead_letters()
    {
        await using var loyalty = await LoyaltyRun.StartAsync(output);

        await loyalty.PublishAsync("daprorders.order.completed.v1", new JsonObject
        {
            ["orderId"] = "o-bad",
            ["customerId"] = "c-bad",
            ["total"] = new JsonObject { ["amount"] = 100, ["currency"] = "XXX" },
            ["completedAt"] = "2026-11-23T10:00:00+00:00",
        });
        await loyalty.Broker.WaitForIdleAsync(Deadline);

        Assert.Equal(1, loyalty.DeadLetters);
        Assert.Equal(0, (await loyalty.PointsAsync("c-bad"))["points"]!.GetValue<long>());
    }

    /// <summary>The emulator with the repository's components, "ordering" as publisher and node services/loyalty.</summary>
    private sealed class LoyaltyRun : IAsyncDisposable
    {
        private readonly DaprEmulator _emulator;
        private readonly NodeProcess _node;
        private readonly DaprClient _dapr;
        private readonly HttpClient _api;
        private readonly ITestOutputHelper _output;

        private LoyaltyRun(DaprEmulator emulator, NodeProcess node, DaprClient dapr, HttpClient api, ITestOutputHelper output)
        {
            _output = output;
            _emulator = emulator;
            _node = node;
            _dapr = dapr;
            _api = api;
        }

        public PubSubBroker Broker => _emulator.Services.GetRequiredService<PubSubBroker>();

        public int DeadLetters => Broker.PublishedCounts.GetValueOrDefault("pubsub/deadletters");

        public static async Task<LoyaltyRun> StartAsync(ITestOutputHelper output)
        {
            var loyaltyDirectory = Repository.PathOf("services", "loyalty");
            NodeModules.Require(loyaltyDirectory, "@dapr/dapr");
            var ports = LoopbackPorts.Free(3);
            var options = new EmulatorOptions();
            options.ResourcesPaths.Add(Repository.PathOf("components", "shared"));
            options.ResourcesPaths.Add(Repository.PathOf("components", "in-memory"));
            options.Apps.Add(new EmulatedAppOptions { AppId = "loyalty", AppPort = ports[0], DaprHttpPort = ports[1] });
            options.Apps.Add(new EmulatedAppOptions { AppId = "ordering", DaprHttpPort = ports[2] });
            var emulator = await DaprEmulator.StartAsync(options);
            var node = NodeProcess.Start(loyaltyDirectory, "server.mjs", new Dictionary<string, string>
            {
                ["APP_ID"] = "loyalty",
                ["APP_PORT"] = ports[0].ToString(CultureInfo.InvariantCulture),
                ["DAPR_HTTP_PORT"] = ports[1].ToString(CultureInfo.InvariantCulture),
            });
            var dapr = new DaprClientBuilder().UseGrpcEndpoint(emulator["ordering"].GrpcEndpoint.ToString()).Build();
            var run = new LoyaltyRun(emulator, node, dapr, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[0]}") }, output);
            try
            {
                await emulator.WaitForAppsReadyAsync(TimeSpan.FromSeconds(60));
                var subscription = Assert.Single(run.Broker.SubscriptionsOf("loyalty"));
                Assert.Equal(("order-completed", "deadletters"), (subscription.Topic, subscription.DeadLetterTopic));
            }
            catch (Exception ex)
            {
                await run.DisposeAsync();
                throw new Xunit.Sdk.XunitException($"loyalty did not start: {ex.Message}\nnode output:\n{node.Output}");
            }

            return run;
        }

        public Task PublishCompletedAsync(string orderId, string customerId, long amount, string currency) =>
            PublishAsync("daprorders.order.completed.v1", new JsonObject
            {
                ["orderId"] = orderId,
                ["customerId"] = customerId,
                ["total"] = new JsonObject { ["amount"] = amount, ["currency"] = currency },
                ["completedAt"] = "2026-11-23T10:00:00+00:00",
            });

        /// <summary>As Ordering publishes (EventPublisher) on order-completed: application/json data, CloudEvent type in metadata cloudevent.type.</summary>
        public Task PublishAsync(string type, JsonObject data) =>
            _dapr.PublishEventAsync("pubsub", "order-completed", data, new Dictionary<string, string>(StringComparer.Ordinal) { ["cloudevent.type"] = type });

        public async Task<JsonObject> PointsAsync(string customerId) =>
            (await _api.GetFromJsonAsync<JsonObject>($"points/{Uri.EscapeDataString(customerId)}"))!;

        public async ValueTask DisposeAsync()
        {
            _api.Dispose();
            _dapr.Dispose();
            await _emulator.DisposeAsync();
            await _node.DisposeAsync();
            _output.WriteLine("--- services/loyalty output ---" + Environment.NewLine + _node.Output);
        }
    }
}
