using System.Globalization;
using System.Text.RegularExpressions;
using DaprOrders.EndToEnd.Tests.Infrastructure;
using DaprOrders.Fidelity.Tests.Infrastructure;

namespace DaprOrders.Fidelity.Tests.CloudEvents;

/// <summary>
/// Orders submitted by a real CloudEvents client: the official CloudEvents JS SDK (npm `cloudevents`) encodes one
/// submission in structured mode (HTTP.structured) and one in binary mode (HTTP.binary) and POSTs them to Ordering's
/// /orders (tests/js/fidelity/submit-with-cloudevents-sdk.mjs); both orders must complete in the whole system
/// (emulator + the five services, started by the end-to-end harness).
/// </summary>
public sealed partial class CloudEventsSdkSubmissionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Orders_submitted_with_the_cloudevents_sdk_in_structured_and_binary_mode_complete()
    {
        NodeModules.Require(Repository.JsDirectory, "cloudevents");
        await using var system = await OrderSystem.StartAsync(o => o.Output = output);
        var sku = TestOrders.NewSku();
        await system.SetStockAsync(sku, 10);

        await using var node = NodeProcess.Start(Repository.PathOf("tests", "js", "fidelity"), "submit-with-cloudevents-sdk.mjs",
            new Dictionary<string, string>(), system.Ordering.BaseAddress!.ToString(), TestOrders.Customer(), sku);
        var exitCode = await node.WaitForExitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine(node.Output);
        Assert.True(exitCode == 0, $"submit-with-cloudevents-sdk.mjs failed (exit {exitCode}):\n{node.Output}");

        var submitted = SubmittedLine().Matches(node.Output).ToDictionary(m => m.Groups["mode"].Value, m => m.Groups["location"].Value, StringComparer.Ordinal);
        Assert.Equal(["binary", "structured"], submitted.Keys.Order(StringComparer.Ordinal));
        foreach (var (mode, location) in submitted)
        {
            var orderId = location[(location.LastIndexOf('/') + 1)..];
            await system.QuiesceAsync();
            var order = await system.WaitForStatusAsync(orderId, "Completed");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{mode}: order {orderId} {order.Status}"));
        }

        Assert.NotEqual(submitted["structured"], submitted["binary"]);
        // One unit for the structured order and two for the binary one were taken (reserved: final unless cancelled).
        await system.QuiesceAsync();
        var stock = await system.GetStockAsync(sku);
        Assert.Equal((7, 3), (stock.Available, stock.Reserved));
    }

    [GeneratedRegex(@"^SUBMITTED (?<mode>\w+) 202 (?<location>\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex SubmittedLine();
}
