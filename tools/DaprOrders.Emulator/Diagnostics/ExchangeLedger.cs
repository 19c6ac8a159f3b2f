using System.Text.Json.Nodes;
using DaprOrders.Emulator.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DaprOrders.Emulator.Diagnostics;

/// <summary>
/// The exchange counts of every app of the emulator, read from each sidecar's <see cref="SidecarExchanges"/>: in
/// process for tests, and as JSON on GET /emulator/v1.0/exchanges of any sidecar's HTTP port.
/// </summary>
public sealed class ExchangeLedger(EmulatedApps apps)
{
    /// <summary>Every non-zero counter, ordered by app, direction, API, method and transport.</summary>
    public IReadOnlyList<ExchangeCount> Snapshot() =>
    [
        .. apps.All.SelectMany(a => a.Exchanges.Snapshot())
            .OrderBy(c => c.AppId, StringComparer.Ordinal)
            .ThenBy(c => c.Direction, StringComparer.Ordinal)
            .ThenBy(c => c.Api, StringComparer.Ordinal)
            .ThenBy(c => c.Method, StringComparer.Ordinal)
            .ThenBy(c => c.Transport, StringComparer.Ordinal),
    ];

    public JsonObject Describe() => new()
    {
        ["exchanges"] = new JsonArray([.. Snapshot().Select(c => (JsonNode)new JsonObject
        {
            ["appId"] = c.AppId,
            ["direction"] = c.Direction,
            ["api"] = c.Api,
            ["method"] = c.Method,
            ["transport"] = c.Transport,
            ["count"] = c.Count,
        })]),
    };
}

/// <summary>GET /emulator/v1.0/exchanges: the emulator's own diagnostics route (not a Dapr API), on every sidecar's HTTP port.</summary>
internal sealed class ExchangesApi(ExchangeLedger ledger) : ISidecarApi
{
    public void Map(IEndpointRouteBuilder routes, AppSidecar sidecar) =>
        routes.MapGet("/emulator/v1.0/exchanges", () => Results.Text(ledger.Describe().ToJsonString(), "application/json"));
}
