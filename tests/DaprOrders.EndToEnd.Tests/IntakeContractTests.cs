using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DaprOrders.Contracts;
using DaprOrders.EndToEnd.Tests.Infrastructure;
using DaprOrders.OrderCli;

namespace DaprOrders.EndToEnd.Tests;

/// <summary>
/// <c>POST /orders</c> end to end, as a client sees it (asyncapi.yaml, "HTTP intake"): the three CloudEvents modes,
/// idempotency by source + id, and RFC 9457 refusals. Each test starts its own system.
/// </summary>
public sealed class IntakeContractTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(SubmissionMode.Structured)]
    [InlineData(SubmissionMode.Binary)]
    public async Task A_single_event_is_accepted_with_202_and_the_location_of_the_order(SubmissionMode mode)
    {
        await using var system = await OrderSystem.StartAsync(o => o.Output = output);
        var cloudEvent = OrderSubmissionEvent.Create(TestOrders.Order(TestOrders.Customer(), ("sku-intake", 1, 100)));

        var result = await system.Intake().SubmitAsync(cloudEvent, mode);

        Assert.Equal(HttpStatusCode.Accepted, result.Status);
        Assert.NotNull(result.OrderId);
        var order = await system.GetOrderDocumentAsync(result.OrderId);
        Assert.Equal(result.OrderId, order["orderId"]!.GetValue<string>());
        Assert.Equal(cloudEvent.Data.CustomerId, order["customerId"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_structured_event_answer_carries_a_location_header_that_resolves_to_the_order()
    {
        await using var system = await OrderSystem.StartAsync(o => o.Output = output);
        var cloudEvent = OrderSubmissionEvent.Create(TestOrders.Order(TestOrders.Customer(), ("sku-intake", 1, 100)));

        using var response = await system.PostRawAsync(OrderIntakeClient.StructuredMediaType, Encoding.UTF8.GetString(OrderIntakeClient.WriteStructured(cloudEvent)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var location = response.Headers.Location;
        Assert.NotNull(location);
        using var order = await system.Ordering.GetAsync(location);
        Assert.Equal(HttpStatusCode.OK, order.StatusCode);
    }

    [Fact]
    public async Task A_batch_creates_one_order_per_event()
    {
        await using var system = await OrderSystem.StartAsync(o => o.Output = output);
        var events = Enumerable.Range(0, 3)
            .Select(_ => OrderSubmissionEvent.Create(TestOrders.Order(TestOrders.Customer(), ("sku-intake", 1, 100))))
            .ToList();

        var results = await system.Intake().SubmitBatchAsync(events);

        Assert.All(results, r => Assert.Equal(HttpStatusCode.Accepted, r.Status));
        var ids = results.Select(r => r.OrderId).ToList();
        Assert.Equal(3, ids.Distinct().Count());
        for (var i = 0; i < events.Count; i++)
        {
            var order = await system.GetOrderDocumentAsync(ids[i]!);
            Assert.Equal(events[i].Data.CustomerId, order["customerId"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Resending_the_same_event_returns_the_same_order_and_publishes_order_created_once()
    {
        await using var system = await OrderSystem.StartAsync(o => o.Output = output);
        var sku = TestOrders.NewSku();
        await system.SetStockAsync(sku, 5);
        var cloudEvent = OrderSubmissionEvent.Create(TestOrders.Order(TestOrders.Customer(), (sku, 1, 100)));

        var first = await system.Intake().SubmitAsync(cloudEvent, SubmissionMode.Structured);
        var again = await system.Intake().SubmitAsync(cloudEvent, SubmissionMode.Binary);
        var inBatch = await system.Intake().SubmitBatchAsync([cloudEvent]);

        Assert.Equal(HttpStatusCode.Accepted, first.Status);
        Assert.Equal((HttpStatusCode.Accepted, first.OrderId), (again.Status, again.OrderId));
        Assert.Equal((HttpStatusCode.Accepted, first.OrderId), (inBatch[0].Status, inBatch[0].OrderId));
        await system.WaitForTerminalAsync(first.OrderId!);
        await Eventually.UntilAsync(() => system.GetAuditTimelineTypesAsync(first.OrderId!), t => t.Contains(EventTypes.NotificationSent), "the full timeline");
        await system.QuiesceAsync();
        Assert.Single(await system.GetAuditTimelineTypesAsync(first.OrderId!), t => t == EventTypes.OrderCreated);
        Assert.Equal(1, system.CountPublished(first.OrderId!, EventTypes.OrderCreated));
    }

    [Fact]
    public async Task Reusing_an_event_id_for_a_different_order_is_a_409_conflict()
    {
        await using var system = await OrderSystem.StartAsync(o => o.Output = output);
        var original = OrderSubmissionEvent.Create(TestOrders.Order(TestOrders.Customer(), ("sku-intake", 1, 100)));
        var changed = original with { Data = TestOrders.Order(original.Data.CustomerId!, ("sku-intake", 2, 100)) };

        var first = await system.Intake().SubmitAsync(original, SubmissionMode.Structured);
        using var conflict = await system.PostRawAsync(OrderIntakeClient.StructuredMediaType, Encoding.UTF8.GetString(OrderIntakeClient.WriteStructured(changed)));

        Assert.Equal(HttpStatusCode.Accepted, first.Status);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal("application/problem+json", conflict.Content.Headers.ContentType?.MediaType);
        var order = await system.GetOrderDocumentAsync(first.OrderId!);
        Assert.Equal(1, order["lines"]![0]!["quantity"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_body_that_is_not_json_or_a_cloud_event_is_a_415()
    {
        await using var system = await OrderSystem.StartAsync(o => o.Output = output);

        using var response = await system.PostRawAsync("text/plain", "please ship 3 mugs");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_oversized_event_is_a_413()
    {
        await using var system = await OrderSystem.StartAsync(o => o.Output = output);
        var cloudEvent = JsonNode.Parse(OrderIntakeClient.WriteStructured(OrderSubmissionEvent.Create(TestOrders.Order(TestOrders.Customer(), ("sku-intake", 1, 100)))))!;
        // Ordering:Intake:MaxEventBytes defaults to 256 KiB.
        cloudEvent["padding"] = new string('x', 300 * 1024);

        using var response = await system.PostRawAsync(OrderIntakeClient.StructuredMediaType, cloudEvent.ToJsonString());

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Invalid_fields_are_a_400_problem_naming_each_field()
    {
        await using var system = await OrderSystem.StartAsync(o => o.Output = output);
        var cloudEvent = JsonNode.Parse(OrderIntakeClient.WriteStructured(OrderSubmissionEvent.Create(TestOrders.Order(TestOrders.Customer(), ("sku-intake", 1, 100)))))!;
        cloudEvent["data"] = JsonNode.Parse("""{"currency":"eur","lines":[{"sku":"ok-sku","quantity":0,"unitPrice":100},{"sku":"-bad","quantity":1}]}""");

        using var response = await system.PostRawAsync(OrderIntakeClient.StructuredMediaType, cloudEvent.ToJsonString());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var fields = problem["errors"]!.AsObject().Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        string[] expected = ["customerId", "currency", "lines[0].quantity", "lines[1].sku", "lines[1].unitPrice"];
        Assert.All(expected, f => Assert.True(fields.Any(k => k.EndsWith(f, StringComparison.Ordinal)), $"no error for {f} in {problem.ToJsonString()}"));
    }
}
