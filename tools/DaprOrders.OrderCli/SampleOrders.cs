using DaprOrders.Contracts;

namespace DaprOrders.OrderCli;

/// <summary>The canned scenarios of <c>daprorders submit --sample</c>, each steering the saga to one outcome.</summary>
public enum SampleKind
{
    /// <summary>In stock and paid: ends <c>Completed</c>.</summary>
    Happy,

    /// <summary>More units than any demo SKU holds: ends <c>Cancelled</c> (out-of-stock).</summary>
    OutOfStock,

    /// <summary>The simulated gateway declines <c>declined-*</c> customers: ends <c>Cancelled</c> (payment-declined).</summary>
    Declined,

    /// <summary>The gateway fails twice for <c>flaky-2-*</c> customers, then charges: ends <c>Completed</c> after two retries.</summary>
    Flaky,
}

/// <summary>SKUs and prices the sample orders use; Inventory seeds them when <c>Inventory:SeedDemoStock</c> is true.</summary>
public static class DemoCatalog
{
    public const string Currency = "EUR";

    /// <summary>Inventory's demo SKUs (InventoryOptions.DemoSkus, 1000 units each when seeded).</summary>
    public static IReadOnlyList<string> Skus { get; } = ["sku-1", "sku-2", "sku-3", "sku-4", "sku-5"];

    /// <summary>Unit price in minor units (cents): 4.99, 9.99, 14.99, ... by position in <see cref="Skus"/>; 10.00 otherwise.</summary>
    public static long PriceOf(string sku)
    {
        for (var i = 0; i < Skus.Count; i++)
        {
            if (Skus[i] == sku)
            {
                return 499 + (500 * i);
            }
        }

        return 1000;
    }
}

public static class SampleOrders
{
    /// <summary>A submission that leads to <paramref name="kind"/>'s outcome; <paramref name="tag"/> makes the customer unique.</summary>
    public static OrderSubmission Create(SampleKind kind, string tag)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        var sku = DemoCatalog.Skus[0];
        return kind switch
        {
            SampleKind.Happy => Order($"customer-{tag}", Line(sku, 1)),
            SampleKind.OutOfStock => Order($"customer-{tag}", Line(sku, OrderSubmissionValidator.MaxQuantity)),
            SampleKind.Declined => Order($"declined-{tag}", Line(sku, 1)),
            SampleKind.Flaky => Order($"flaky-2-{tag}", Line(sku, 1)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown sample"),
        };
    }

    /// <summary>
    /// <paramref name="count"/> plausible orders: one to three lines over <paramref name="skus"/>, one to three units
    /// each, from a small set of customers (so several orders compete for the same stock).
    /// </summary>
    public static IReadOnlyList<OrderSubmission> Random(int count, IReadOnlyList<string> skus, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(skus);
        ArgumentNullException.ThrowIfNull(random);
        if (skus.Count == 0)
        {
            throw new ArgumentException("at least one SKU is needed", nameof(skus));
        }

        var orders = new List<OrderSubmission>(count);
        for (var i = 0; i < count; i++)
        {
            var lines = skus
                .OrderBy(_ => random.Next())
                .Take(random.Next(1, Math.Min(3, skus.Count) + 1))
                .Select(sku => Line(sku, random.Next(1, 4)))
                .ToArray();
            orders.Add(Order($"customer-{random.Next(1, 100):D3}", lines));
        }

        return orders;
    }

    private static OrderSubmissionLine Line(string sku, int quantity) =>
        new() { Sku = sku, Quantity = quantity, UnitPrice = DemoCatalog.PriceOf(sku) };

    private static OrderSubmission Order(string customerId, params OrderSubmissionLine[] lines) =>
        new() { CustomerId = customerId, Currency = DemoCatalog.Currency, Lines = lines };
}
