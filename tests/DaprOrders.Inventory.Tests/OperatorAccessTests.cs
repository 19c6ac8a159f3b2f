using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DaprOrders.Inventory.Tests.Infrastructure;
using DaprOrders.Testing;

namespace DaprOrders.Inventory.Tests;

/// <summary>
/// A stock count (PUT /stock/{sku}) is public through the Ingress, so it needs the operator credential (the Operator
/// policy of DaprOrders.ServiceDefaults): 401 without one, 403 with a wrong one, and the level is unchanged in both.
/// </summary>
public sealed class OperatorAccessTests
{
    [Fact]
    public async Task Stock_count_answers_401_without_a_credential_403_with_a_wrong_one_and_sets_the_level_with_the_right_one()
    {
        await using var host = await InventoryHost.StartAsync();
        await host.SetStockAsync("sku-op-1", 5);

        using var anonymous = host.CreateAnonymousClient();
        using (var response = await anonymous.PutAsync(new Uri("/stock/sku-op-1", UriKind.Relative), Body(99)))
        {
            await OperatorRefusal.AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        }

        using var wrong = host.CreateAnonymousClient();
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-operator-token");
        using (var response = await wrong.PutAsync(new Uri("/stock/sku-op-1", UriKind.Relative), Body(99)))
        {
            await OperatorRefusal.AssertProblemAsync(response, HttpStatusCode.Forbidden);
        }

        Assert.Equal(5, (await host.GetStockAsync("sku-op-1")).GetProperty("available").GetInt32());

        using (var response = await host.Client.PutAsync(new Uri("/stock/sku-op-1", UriKind.Relative), Body(99)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(99, (await host.GetStockAsync("sku-op-1")).GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task Every_state_changing_endpoint_outside_the_sidecar_callbacks_requires_the_operator_policy()
    {
        await using var host = await InventoryHost.StartAsync();

        Assert.Equal(["PUT /stock/{sku}"], OperatorEndpointCoverage.StateChangingEndpoints(host.Services));
        Assert.Empty(OperatorEndpointCoverage.WithoutOperatorPolicy(host.Services));
    }

    [Fact]
    public async Task Reading_stock_needs_no_operator_credential()
    {
        await using var host = await InventoryHost.StartAsync();
        await host.SetStockAsync("sku-op-2", 3);
        using var anonymous = host.CreateAnonymousClient();

        using var response = await anonymous.GetAsync(new Uri("/stock/sku-op-2", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static StringContent Body(int available) => new($$"""{"available":{{available}}}""", Encoding.UTF8, "application/json");
}
