namespace DaprOrders.Inventory;

/// <summary>Configuration section <c>Inventory</c>.</summary>
public sealed class InventoryOptions
{
    public const string SectionName = "Inventory";

    /// <summary>The state store of reservation records and the SKU index.</summary>
    public const string StateStoreName = "statestore";

    /// <summary>Stocks the demo SKUs (<see cref="DemoSkus"/>) at startup when they are not stocked yet.</summary>
    public bool SeedDemoStock { get; set; }

    /// <summary>Units each demo SKU starts with.</summary>
    public int DemoStockQuantity { get; set; } = 1000;

    /// <summary>How long the seeder keeps trying while the sidecar or actor placement is not ready yet.</summary>
    public TimeSpan SeedTimeout { get; set; } = TimeSpan.FromMinutes(2);

    public static IReadOnlyList<string> DemoSkus { get; } = ["sku-1", "sku-2", "sku-3", "sku-4", "sku-5"];
}
