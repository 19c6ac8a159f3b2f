using System.Text.Json;
using System.Text.RegularExpressions;
using DaprOrders.Contracts;
using DaprOrders.Inventory.Catalog;
using DaprOrders.Inventory.Stock;
using DaprOrders.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DaprOrders.Inventory.Api;

/// <summary>Body of <c>PUT /stock/{sku}</c>.</summary>
public sealed record SetStockRequest(int Available);

/// <summary>Stock levels of one SKU as the public API shows them.</summary>
/// <param name="Available">Units free to reserve.</param>
/// <param name="Reserved">Units held by orders of the last hold retention (<c>Inventory:HoldRetention</c>): a cancellation gives them back.</param>
/// <param name="Committed">Units of older reservations: final (Inventory is not told when an order completes).</param>
public sealed record StockLevelView(string Sku, int Available, int Reserved, int Committed)
{
    public static StockLevelView From(StockSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return new(snapshot.Sku, snapshot.Available, snapshot.Reserved, snapshot.Committed);
    }
}

public static partial class StockEndpoints
{
    public static RouteGroupBuilder MapStockApi(this IEndpointRouteBuilder endpoints)
    {
        // No group prefix: it would make GET /stock's template "/stock/", which the server span and http.route carry.
        var group = endpoints.MapGroup(string.Empty).WithTags("Stock");

        group.MapGet("/stock", ListAsync)
            .WithName("ListStock")
            .WithSummary("Lists every stocked SKU with its levels");

        group.MapGet("/stock/{sku}", GetAsync)
            .WithName("GetStock")
            .WithSummary("Gets the stock levels of one SKU");

        // Public through the Ingress (services.inventory.public), so the stock count needs the operator credential.
        group.MapPut("/stock/{sku}", SetAsync)
            .WithName("SetStock")
            .WithSummary("Sets the units available for a SKU (an operator's stock count)")
            .Accepts<SetStockRequest>("application/json")
            .RequireOperator()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        return group;
    }

    private static async Task<Ok<StockLevelView[]>> ListAsync(SkuCatalog catalog, StockActors stock, CancellationToken cancellationToken)
    {
        var skus = await catalog.ListAsync(cancellationToken);
        var snapshots = await Task.WhenAll(skus.Select(sku => stock.For(sku).GetAsync(cancellationToken)));
        return TypedResults.Ok(snapshots.Where(s => s.Listed).Select(StockLevelView.From).ToArray());
    }

    private static async Task<Results<Ok<StockLevelView>, ProblemHttpResult>> GetAsync(string sku, StockActors stock,
        CancellationToken cancellationToken)
    {
        if (!SkuFormat().IsMatch(sku))
        {
            return UnknownSku(sku);
        }

        var snapshot = await stock.For(sku).GetAsync(cancellationToken);
        return snapshot.Listed ? TypedResults.Ok(StockLevelView.From(snapshot)) : UnknownSku(sku);
    }

    private static async Task<Results<Ok<StockLevelView>, ValidationProblem>> SetAsync(string sku, HttpRequest request,
        StockActors stock, SkuCatalog catalog, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!SkuFormat().IsMatch(sku))
        {
            errors["sku"] = [$"must match {OrderSubmissionValidator.SkuPattern}"];
        }

        var available = await ReadAvailableAsync(request, errors, cancellationToken);
        if (errors.Count > 0 || available is not { } units)
        {
            return TypedResults.ValidationProblem(errors, title: "The stock level is invalid");
        }

        var snapshot = await stock.For(sku).SetAvailableAsync(units, cancellationToken);
        await catalog.AddAsync(sku, cancellationToken);
        return TypedResults.Ok(StockLevelView.From(snapshot));
    }

    /// <summary>Reads <c>{"available": N}</c> by hand so each mistake gets a precise message (wrong type, fraction, negative).</summary>
    private static async Task<int?> ReadAvailableAsync(HttpRequest request, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            errors["$"] = ["the body must be application/json"];
            return null;
        }

        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, default, cancellationToken);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("available", out var value))
            {
                errors["available"] = ["is required"];
                return null;
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var units))
            {
                errors["available"] = ["must be a whole number"];
                return null;
            }

            if (units < 0)
            {
                errors["available"] = ["must be 0 or more"];
                return null;
            }

            return units;
        }
        catch (JsonException)
        {
            errors["$"] = ["the body is not valid JSON"];
            return null;
        }
    }

    private static ProblemHttpResult UnknownSku(string sku) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown SKU",
            detail: $"SKU '{sku}' has never been stocked.");

    [GeneratedRegex(OrderSubmissionValidator.SkuPattern, RegexOptions.CultureInvariant)]
    private static partial Regex SkuFormat();
}
