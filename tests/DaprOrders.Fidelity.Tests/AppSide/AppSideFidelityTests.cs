using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr.Client;
using DaprOrders.Emulator;
using DaprOrders.Emulator.PubSub;
using DaprOrders.Fidelity.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using DaprOrders.Testing;

namespace DaprOrders.Fidelity.Tests.AppSide;

/// <summary>
/// App-side fidelity: the emulator delivers the same messages to a C# app built as the services are (Dapr .NET SDK
/// through DaprOrders.BuildingBlocks) and to a
/// DaprServer app of the official JS SDK (tests/js/fidelity/server-app.mjs), both with the same subscriptions. What
/// the emulator did with each delivery (how often it delivered, whether it dead-lettered) and which route received it
/// must be the same for both apps, except for the documented differences.
/// </summary>
public sealed class AppSideFidelityTests(ITestOutputHelper output)
{
    private const string CSharpApp = "csharp-app";
    private const string JsApp = "js-app";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>The deliveries, published one at a time by the "publisher" app through the emulator's gRPC API.</summary>
    private static readonly (string Name, Func<DaprClient, Task> Publish)[] Deliveries =
    [
        ("structured CloudEvent, JSON data", c => c.PublishEventAsync("pubsub", "fidelity", new FidelityOrder("o-1"), OfType("fidelity.success"))),
        ("data_base64 holding JSON", c => c.PublishByteEventAsync("pubsub", "fidelity", """{"orderId":"o-2"}"""u8.ToArray(), "application/octet-stream",
            OfType("fidelity.success"))),
        ("text data where an object is expected", c => c.PublishByteEventAsync("pubsub", "fidelity", "o-3 as text"u8.ToArray(), "text/plain",
            OfType("fidelity.success"))),
        ("app-built CloudEvent (passthrough)", c => c.PublishByteEventAsync("pubsub", "fidelity",
            """{"specversion":"1.0","id":"ce-4","source":"publisher","type":"fidelity.success","datacontenttype":"application/json","data":{"orderId":"o-4"}}"""u8.ToArray(),
            "application/cloudevents+json")),
        ("raw payload subscription (data_base64)", c => c.PublishEventAsync("pubsub", "fidelity-raw", new FidelityOrder("o-5"),
            new Dictionary<string, string>(StringComparer.Ordinal) { ["rawPayload"] = "true" })),
        ("handler answers RETRY", c => c.PublishEventAsync("pubsub", "fidelity", new FidelityOrder("o-6"), OfType("fidelity.retry"))),
        ("handler answers DROP", c => c.PublishEventAsync("pubsub", "fidelity", new FidelityOrder("o-7"), OfType("fidelity.drop"))),
        ("type matching no rule (default route)", c => c.PublishEventAsync("pubsub", "fidelity", new FidelityOrder("o-8"), OfType("fidelity.unknown"))),
        ("handler throws", c => c.PublishEventAsync("pubsub", "fidelity", new FidelityOrder("o-9"), OfType("fidelity.throw"))),
    ];

    /// <summary>What each app must show per delivery: route, then SUCCESS (1 delivery, no dead letter), DROP (1, dead letter) or RETRY (2, dead letter).</summary>
    private static readonly Dictionary<string, (string CSharp, string Js)> Expected = new(StringComparer.Ordinal)
    {
        ["structured CloudEvent, JSON data"] = ("success SUCCESS", "success SUCCESS"),
        // Documented difference (docs/dapr-fidelity.md): the SDK's CloudEvents middleware decodes data_base64 and hands
        // the endpoint the bytes under the event's datacontenttype, application/octet-stream here (dapr/dotnet-sdk
        // v1.19.1 src/Dapr.AspNetCore/CloudEventsMiddleware.cs); a JSON-bound endpoint refuses that (415), which the
        // services' delivery middleware answers DROP. The JS SDK JSON.parses the decoded bytes whatever the type says.
        ["data_base64 holding JSON"] = ("success DROP", "success SUCCESS"),
        ["text data where an object is expected"] = ("success DROP", "success DROP"),
        ["app-built CloudEvent (passthrough)"] = ("success SUCCESS", "success SUCCESS"),
        ["raw payload subscription (data_base64)"] = ("raw SUCCESS", "raw SUCCESS"),
        ["handler answers RETRY"] = ("retry RETRY", "retry RETRY"),
        ["handler answers DROP"] = ("drop DROP", "drop DROP"),
        // Same default route, other name: the C# app maps it at /events/{topic}, as Audit does.
        ["type matching no rule (default route)"] = ("fidelity SUCCESS", "other SUCCESS"),
        // Documented difference (docs/dapr-fidelity.md): the services' delivery middleware (BuildingBlocks) answers 500 problem+json, which daprd retries;
        // the JS SDK catches the exception, logs it and answers {"status":"SUCCESS"}, so the message is acknowledged.
        ["handler throws"] = ("throw RETRY", "throw SUCCESS"),
    };

    [Fact]
    public async Task Our_app_callbacks_and_the_js_sdk_dapr_server_give_the_emulator_the_same_outcome_per_delivery()
    {
        NodeModules.Require(Repository.JsDirectory, "@dapr/dapr");
        var ports = LoopbackPorts.Free(6);
        var options = new EmulatorOptions();
        options.ResourcesPaths.Add(Repository.PathOf("tests", "DaprOrders.Fidelity.Tests", "components", "app-side"));
        options.Apps.Add(new EmulatedAppOptions { AppId = CSharpApp, AppPort = ports[0], DaprHttpPort = ports[1], DaprGrpcPort = ports[5] });
        options.Apps.Add(new EmulatedAppOptions { AppId = JsApp, AppPort = ports[2], DaprHttpPort = ports[3] });
        options.Apps.Add(new EmulatedAppOptions { AppId = "publisher", DaprHttpPort = ports[4] });
        await using var emulator = await DaprEmulator.StartAsync(options);

        await using var csharp = await CSharpSubscriberApp.StartAsync(CSharpApp, ports[0], emulator[CSharpApp].HttpEndpoint, emulator[CSharpApp].GrpcEndpoint);
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

        using (var publisher = new DaprClientBuilder().UseGrpcEndpoint(emulator["publisher"].GrpcEndpoint.ToString()).Build())
        {
            var report = new StringBuilder();
            var mismatches = new List<string>();
            foreach (var (name, publish) in Deliveries)
            {
                var before = (CSharp: csharp.Deliveries.Snapshot(), Js: await JsDeliveriesAsync(jsApi), Dead: DeadLetters(broker));
                await publish(publisher);
                await broker.WaitForIdleAsync(Deadline);
                var after = (CSharp: csharp.Deliveries.Snapshot(), Js: await JsDeliveriesAsync(jsApi), Dead: DeadLetters(broker));

                // Routes: ours are /events/{route}; the JS SDK's are /{pubsub}--{topic}--{route}.
                var ours = Outcome(before.CSharp, after.CSharp, before.Dead, after.Dead, CSharpApp,
                    path => path.StartsWith(CSharpSubscriberApp.RoutePrefix, StringComparison.Ordinal) ? path[CSharpSubscriberApp.RoutePrefix.Length..] : path);
                var theirs = Outcome(before.Js, after.Js, before.Dead, after.Dead, JsApp,
                    path => path.StartsWith("/pubsub--fidelity", StringComparison.Ordinal) ? path[(path.LastIndexOf('-') + 1)..] : path.TrimStart('/'));
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

    /// <summary>Publish metadata that sets the CloudEvent type, as EventPublisher does.</summary>
    private static Dictionary<string, string> OfType(string eventType) =>
        new(StringComparer.Ordinal) { ["cloudevent.type"] = eventType };

    private static IReadOnlyDictionary<string, int> DeadLetters(PubSubBroker broker) =>
        new Dictionary<string, int>
        {
            [CSharpApp] = broker.PublishedCounts.GetValueOrDefault($"pubsub/{CSharpApp}-dlt"),
            [JsApp] = broker.PublishedCounts.GetValueOrDefault($"pubsub/{JsApp}-dlt"),
        };

    /// <summary>"route OUTCOME" from what changed: deliveries per path and dead letters of that app.</summary>
    private static string Outcome(IReadOnlyDictionary<string, int> before, IReadOnlyDictionary<string, int> after,
        IReadOnlyDictionary<string, int> deadBefore, IReadOnlyDictionary<string, int> deadAfter, string appId, Func<string, string> routeOf)
    {
        var delivered = after.Where(p => p.Value > before.GetValueOrDefault(p.Key)).Select(p => (Path: p.Key, Count: p.Value - before.GetValueOrDefault(p.Key))).ToList();
        var dead = deadAfter[appId] - deadBefore[appId];
        if (delivered.Count != 1)
        {
            return $"delivered to [{string.Join(", ", delivered.Select(d => $"{d.Path} x{d.Count}"))}], {dead} dead letter(s)";
        }

        var route = routeOf(delivered[0].Path);
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
