using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DaprOrders.Ordering.Orders;
using DaprOrders.Ordering.Tests.Infrastructure;

namespace DaprOrders.Ordering.Tests.Api;

public sealed class OrderQueryTests : IAsyncLifetime
{
    private OrderingHost _host = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await OrderingHost.StartAsync(new Dictionary<string, string?> { ["Ordering:Index:Capacity"] = "3" });
        _client = _host.Client;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Submitted_orders_are_listed_newest_first_bounded_and_counted()
    {
        for (var i = 1; i <= 4; i++)
        {
            await _host.AdvanceClockAsync(TimeSpan.FromSeconds(1));
            await SubmitAsync($"q-{i}");
        }

        // The index is written in the background; once it counts four orders it lists the latest three.
        await Eventually.UntilAsync(async () => (await StatsAsync())["total"]!.GetValue<long>() == 4, "the index to count all four orders");
        var listed = await GetJsonAsync("/orders");

        Assert.Equal(
            new[] { "q-4", "q-3", "q-2" }.Select(id => OrderIdentity.DeriveOrderId("/shop", id)),
            listed["orders"]!.AsArray().Select(o => (string?)o!["orderId"]));
        Assert.Equal(4, (await StatsAsync())["counts"]!["Submitted"]!.GetValue<long>());
        Assert.Equal(0, (await StatsAsync())["counts"]!["Completed"]!.GetValue<long>());

        var limited = await GetJsonAsync("/orders?status=submitted&limit=1");
        Assert.Equal(OrderIdentity.DeriveOrderId("/shop", "q-4"), (string?)limited["orders"]![0]!["orderId"]);
        Assert.Equal(0, (await GetJsonAsync("/orders?status=Completed"))["count"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("/orders?status=Shipped", "status")]
    [InlineData("/orders?status=1", "status")]
    [InlineData("/orders?status=Submitted,AwaitingPayment", "status")]
    [InlineData("/orders?limit=0", "limit")]
    [InlineData("/orders?limit=501", "limit")]
    public async Task Invalid_queries_are_validation_problems(string path, string field)
    {
        using var response = await _client.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.NotNull(problem["errors"]![field]);
    }

    [Fact]
    public async Task Stats_of_an_empty_system_are_all_zero()
    {
        var stats = JsonNode.Parse(await _client.GetStringAsync("/orders/stats"))!;

        Assert.Equal(0, stats["total"]!.GetValue<long>());
        Assert.Equal(["Submitted", "AwaitingPayment", "Completed", "Cancelled"], stats["counts"]!.AsObject().Select(p => p.Key));
    }

    private Task<JsonNode> StatsAsync() => GetJsonAsync("/orders/stats");

    private async Task<JsonNode> GetJsonAsync(string path) => JsonNode.Parse(await _client.GetStringAsync(path))!;

    private async Task SubmitAsync(string id)
    {
        using var content = new StringContent(
            $$$"""{"specversion":"1.0","id":"{{{id}}}","source":"/shop","type":"daprorders.order.submitted.v1","data":{"customerId":"c-1","currency":"EUR","lines":[{"sku":"a","quantity":1,"unitPrice":5}]}}""",
            Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json");
        using var response = await _client.PostAsync("/orders", content);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }
}
