using System.Text.Json.Nodes;
using DaprOrders.Contracts;
using DaprOrders.EndToEnd.Tests.Infrastructure;
using NJsonSchema;

namespace DaprOrders.EndToEnd.Tests;

/// <summary>
/// Every event the running services publish matches its contract: the CloudEvent envelope against cloudevent.json and
/// <c>data</c> against the schema of its type (services/DaprOrders.Contracts/schemas). The events are captured on the
/// wire, as Audit's sidecar delivered them, across scenarios that together produce every published type.
/// </summary>
public sealed class EventContractConformanceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_published_event_matches_its_json_schema_and_every_catalog_type_is_produced()
    {
        await using var system = await OrderSystem.StartAsync(o =>
        {
            o.Output = output;
            o.Set(AppIds.Ordering, "Saga:Deadline", "00:00:30");
        });
        var sku = TestOrders.NewSku();
        await system.SetStockAsync(sku, 10);

        // Completed; out of stock; declined (stock released); deadline after the charge (refund).
        var completed = await system.SubmitAsync(TestOrders.Order(TestOrders.Customer(), (sku, 1, 1500)));
        var outOfStock = await system.SubmitAsync(TestOrders.Order(TestOrders.Customer(), (sku, 1000, 1500)));
        var declined = await system.SubmitAsync(TestOrders.Order(TestOrders.DeclinedCustomer(), (sku, 1, 1500)));
        foreach (var orderId in new[] { completed, outOfStock, declined })
        {
            await system.WaitForTerminalAsync(orderId);
        }

        await system.QuiesceAsync();
        string refunded;
        using (system.Faults.Delay(TimeSpan.FromMinutes(2), appId: AppIds.Ordering, topic: Topics.PaymentSucceeded))
        {
            refunded = await system.SubmitAsync(TestOrders.Order(TestOrders.Customer(), (sku, 1, 1500)));
            await Eventually.UntilAsync(() => system.CountChargesAsync(refunded), n => n == 1, "the charge of the order that will time out");
            await system.AdvanceClockAsync(TimeSpan.FromSeconds(31), TimeSpan.FromSeconds(1));
            await Eventually.UntilAsync(() => Task.FromResult(system.CountPublished(refunded, EventTypes.PaymentRefunded)), n => n == 1, "the refund");
        }

        await system.AdvanceClockAsync(TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(10));
        foreach (var orderId in new[] { completed, outOfStock, declined, refunded })
        {
            await Eventually.UntilAsync(() => system.GetNotificationsAsync(orderId), n => n.Count == 1, $"the notification of {orderId}");
        }

        await system.QuiesceAsync();

        var envelopeSchema = await JsonSchema.FromJsonAsync(ContractSchemas.ReadText(ContractSchemas.CloudEvent));
        var dataSchemas = new Dictionary<string, JsonSchema>(StringComparer.Ordinal);
        foreach (var contract in EventCatalog.Published)
        {
            dataSchemas[contract.Type] = await JsonSchema.FromJsonAsync(ContractSchemas.ReadText(contract));
        }

        var events = system.Deliveries.PublishedEvents();
        var violations = new List<string>();
        foreach (var cloudEvent in events)
        {
            var type = cloudEvent["type"]?.GetValue<string>() ?? "(no type)";
            violations.AddRange(envelopeSchema.Validate(cloudEvent.ToJsonString()).Select(e => $"{type} envelope: {e}"));
            if (!dataSchemas.TryGetValue(type, out var dataSchema))
            {
                violations.Add($"{type}: not a published type of the event catalog");
                continue;
            }

            Assert.Equal("application/json", cloudEvent["datacontenttype"]?.GetValue<string>());
            Assert.Equal(EventCatalog.Get(type).Publisher, cloudEvent["source"]?.GetValue<string>());
            Assert.Equal(EventCatalog.Get(type).Topic, cloudEvent["topic"]?.GetValue<string>());
            var data = cloudEvent["data"] ?? JsonValue.Create("(missing)");
            violations.AddRange(dataSchema.Validate(data.ToJsonString()).Select(e => $"{type} data: {e} in {data.ToJsonString()}"));
        }

        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
        var seen = events.Select(e => e["type"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        var missing = EventCatalog.Published.Select(c => c.Type).Where(t => !seen.Contains(t)).ToList();
        Assert.True(missing.Count == 0, "never published: " + string.Join(", ", missing));
    }
}
