using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DaprOrders.Emulator;
using DaprOrders.Emulator.PubSub;
using DaprOrders.Fidelity.Tests.ClientSide;
using DaprOrders.Fidelity.Tests.Infrastructure;
using DaprOrders.Sidecar;
using Microsoft.Extensions.DependencyInjection;
using DaprOrders.Testing;

namespace DaprOrders.Fidelity.Tests.AppSide;

/// <summary>
/// App-side fidelity: the emulator delivers the same messages to a C# app built with DaprOrders.Sidecar and to a
/// DaprServer app of the official JS SDK (tests/js/fidelity/server-app.mjs), both with the same subscriptions. What
/// the emulator did with each delivery (how often it delivered, whether it dead-lettered) and which route received it
/// must be the same for both apps, except for the one documented difference.
/// </summary>
public sealed class AppSideFidelityTests(ITestOutputHelper output)
{
    private const string CSharpApp = "csharp-app";
    private const string JsApp = "js-app";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>The deliveries, published one at a time by the "publisher" app through the emulator.</summary>
    private static readonly (string Name, Func<DaprSidecarClient, Task> Publish)[] Deliveries =
    [
        ("structured CloudEvent, JSON data", c => c.PublishEventAsync("pubsub", "fidelity", new FidelityOrder("o-1"), FidelityJsonContext.Default.FidelityOrder,
            new PublishOptions { CloudEventType = "fidelity.success" })),
        ("data_base64 holding JSON", c => c.PublishEventAsync("pubsub", "fidelity", """{"orderId":"o-2"}"""u8.ToArray(), "application/octet-stream",
            new PublishOptions { CloudEventType = "fidelity.success" })),
        ("text data where an object is expected", c => c.PublishEventAsync("pubsub", "fidelity", "o-3 as text"u8.ToArray(), "text/plain",
            new PublishOptions { CloudEventType = "fidelity.success" })),
        ("app-built CloudEvent (passthrough)", c => c.PublishCloudEventAsync("pubsub", "fidelity", JsonDocument.Parse(
            """{"specversion":"1.0","id":"ce-4","source":"publisher","type":"fidelity.success","datacontenttype":"application/json","data":{"orderId":"o-4"}}""").RootElement)),
        ("raw payload subscription (data_base64)", c => c.PublishEventAsync("pubsub", "fidelity-raw", new FidelityOrder("o-5"), FidelityJsonContext.Default.FidelityOrder,
            new PublishOptions { RawPayload = true })),
        ("handler answers RETRY", c => c.PublishEventAsync("pubsub", "fidelity", new FidelityOrder("o-6"), FidelityJsonContext.Default.FidelityOrder,
            new PublishOptions { CloudEventType = "fidelity.retry" })),
        ("handler answers DROP", c => c.PublishEventAsync("pubsub", "fidelity", new FidelityOrder("o-7"), FidelityJsonContext.Default.FidelityOrder,
            new PublishOptions { CloudEventType = "fidelity.drop" })),
        ("type matching no rule (default route)", c => c.PublishEventAsync("pubsub", "fidelity", new FidelityOrder("o-8"), FidelityJsonContext.Default.FidelityOrder,
            new PublishOptions { CloudEventType = "fidelity.unknown" })),
        ("handler throws", c => c.PublishEventAsync("pubsub", "fidelity", new FidelityOrder("o-9"), FidelityJsonContext.Default.FidelityOrder,
            new PublishOptions { CloudEventType = "fidelity.throw" })),
    ];

    /// <summary>What each app must show per delivery: route, then SUCCESS (1 delivery, no dead letter), DROP (1, dead letter) or RETRY (2, dead letter).</summary>
    private static readonly Dictionary<string, (string CSharp, string Js)> Expected = new(StringComparer.Ordinal)
    {
        ["structured CloudEvent, JSON data"] = ("success SUCCESS", "success SUCCESS"),
        ["data_base64 holding JSON"] = ("success SUCCESS", "success SUCCESS"),
        ["text data where an object is expected"] = ("success DROP", "success DROP"),
        ["app-built CloudEvent (passthrough)"] = ("success SUCCESS", "success SUCCESS"),
        ["raw payload subscription (data_base64)"] = ("raw SUCCESS", "raw SUCCESS"),
        ["handler answers RETRY"] = ("retry RETRY", "retry RETRY"),
        ["handler answers DROP"] = ("drop DROP", "drop DROP"),
        ["type matching no rule (default route)"] = ("other SUCCESS", "other SUCCESS"),
        // Documented difference (docs/dapr-fidelity.md): our library answers 500 problem+json, which daprd retries;
        // the JS SDK catches the exception, logs it and answers {"status":"SUCCESS"}, so the message is acknowledged.
        ["handler throws"] = ("throw RETRY", "throw SUCCESS"),
    };

    [Fact]
    public async Task Our_app_callbacks_and_the_js_sdk_dapr_server_give_the_emulator_the_same_outcome_per_delivery()
    {
        NodeModules.Require(Repository.JsDirectory, "@dapr/dapr");
        var ports = LoopbackPorts.Free(5);
        var options = new EmulatorOptions();
        options.ResourcesPaths.Add(Repository.PathOf("tests", "DaprOrders.Fidelity.Tests", "components", "app-side"));
        options.Apps.Add(new EmulatedAppOptions { AppId = CSharpApp, AppPort = ports[0], DaprHttpPort = ports[1] });
        options.Apps.Add(new EmulatedAppOptions { AppId = JsApp, AppPort = ports[2], DaprHttpPort = ports[3] });
        options.Apps.Add(new EmulatedAppOptions { AppId = "publisher", DaprHttpPort = ports[4] });
        await using var emulator = await DaprEmulator.StartAsync(options);

        await using var csharp = await CSharpSubscriberApp.StartAsync(CSharpApp, ports[0], emulator[CSharpApp].HttpEndpoint);
        await using var js = NodeProcess.Start(Repository.PathOf("tests", "js", "fidelity"), "server-app.mjs", new Dictionary<string, string>
        {
            ["APP_ID"] = JsApp,
            ["APP_PORT"] = ports[2].ToString(CultureInfo.InvariantCulture),
            ["DAPR_HTTP_PORT"] = ports[3].ToString(CultureInfo.InvariantCulture),
        });
        try
        {
            await emulator.WaitForAppsReadyAsync(TimeSpan.FromSeconds(60));
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            Assert.Fail($"the apps did not become ready: {ex.Message}\nserver-app.mjs output:\n{js.Output}");
        }

        var broker = emulator.Services.GetRequiredService<PubSubBroker>();
        Assert.Equal(2, broker.SubscriptionsOf(CSharpApp).Count);
        Assert.Equal(2, broker.SubscriptionsOf(JsApp).Count);
        using var jsApi = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[2]}") };

        var services = new ServiceCollection().AddLogging().AddDaprSidecar(o => o.HttpEndpoint = emulator["publisher"].HttpEndpoint).BuildServiceProvider();
        await using (services)
        {
            var publisher = services.GetRequiredService<DaprSidecarClient>();
            var report = new StringBuilder();
            var mismatches = new List<string>();
            foreach (var (name, publish) in Deliveries)
            {
                var before = (CSharp: csharp.Deliveries.Snapshot(), Js: await JsDeliveriesAsync(jsApi), Dead: DeadLetters(broker));
                await publish(publisher);
                await broker.WaitForIdleAsync(Deadline);
                var after = (CSharp: csharp.Deliveries.Snapshot(), Js: await JsDeliveriesAsync(jsApi), Dead: DeadLetters(broker));

                var ours = Outcome(before.CSharp, after.CSharp, before.Dead, after.Dead, CSharpApp, prefix: "/");
                var theirs = Outcome(before.Js, after.Js, before.Dead, after.Dead, JsApp, prefix: "/pubsub--fidelity");
                report.AppendLine(CultureInfo.InvariantCulture, $"{name}: ours {ours} | js-sdk {theirs}");
                var (expectedOurs, expectedJs) = Expected[name];
                if (ours != expectedOurs || theirs != expectedJs)
                {
                    mismatches.Add($"{name}: expected ours {expectedOurs} | js-sdk {expectedJs}, saw ours {ours} | js-sdk {theirs}");
                }
            }

            output.WriteLine(report.ToString());
            Assert.True(mismatches.Count == 0, string.Join("\n", mismatches) + "\n\n" + report + "\nserver-app.mjs output:\n" + js.Output);
        }

        // Same data reached the handlers (data, data_base64 decoded as JSON, raw payload).
        var seen = (await jsApi.GetFromJsonAsync<JsonObject>("deliveries"))!["seen"]!;
        Assert.Equal("o-5", seen["raw"]?["orderId"]?.GetValue<string>());
        Assert.Equal("o-5", ((FidelityOrder?)csharp.Deliveries.Seen["raw"])?.OrderId);
    }

    private static IReadOnlyDictionary<string, int> DeadLetters(PubSubBroker broker) =>
        new Dictionary<string, int>
        {
            [CSharpApp] = broker.PublishedCounts.GetValueOrDefault($"pubsub/{CSharpApp}-dlt"),
            [JsApp] = broker.PublishedCounts.GetValueOrDefault($"pubsub/{JsApp}-dlt"),
        };

    /// <summary>"route OUTCOME" from what changed: deliveries per path and dead letters of that app.</summary>
    private static string Outcome(IReadOnlyDictionary<string, int> before, IReadOnlyDictionary<string, int> after,
        IReadOnlyDictionary<string, int> deadBefore, IReadOnlyDictionary<string, int> deadAfter, string appId, string prefix)
    {
        var delivered = after.Where(p => p.Value > before.GetValueOrDefault(p.Key)).Select(p => (Path: p.Key, Count: p.Value - before.GetValueOrDefault(p.Key))).ToList();
        var dead = deadAfter[appId] - deadBefore[appId];
        if (delivered.Count != 1)
        {
            return $"delivered to [{string.Join(", ", delivered.Select(d => $"{d.Path} x{d.Count}"))}], {dead} dead letter(s)";
        }

        // JS SDK routes are /{pubsub}--{topic}--{route}; ours are /{route}.
        var route = delivered[0].Path.StartsWith(prefix, StringComparison.Ordinal) ? delivered[0].Path[(delivered[0].Path.LastIndexOf('-') + 1)..] : delivered[0].Path;
        route = route.TrimStart('/');
        var outcome = (delivered[0].Count, dead) switch
        {
            (1, 0) => "SUCCESS",
            (1, 1) => "DROP",
            (2, 1) => "RETRY",
            var (count, letters) => $"{count} deliveries, {letters} dead letter(s)",
        };
        return $"{route} {outcome}";
    }

    private static async Task<IReadOnlyDictionary<string, int>> JsDeliveriesAsync(HttpClient jsApi)
    {
        var body = (await jsApi.GetFromJsonAsync<JsonObject>("deliveries"))!;
        return body["deliveries"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<int>(), StringComparer.Ordinal);
    }
}
