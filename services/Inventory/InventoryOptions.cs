using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

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
    [Range(0, int.MaxValue)]
    public int DemoStockQuantity { get; set; } = 1000;

    /// <summary>How long the seeder keeps trying while the sidecar or actor placement is not ready yet.</summary>
    [Range(typeof(TimeSpan), "00:00:00.0000001", "10675199.02:48:05.4775807")]
    public TimeSpan SeedTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a Stock actor remembers each order's hold (its state holds the orders of one such period). Within it a
    /// repeated order.created gets the first answer and a cancellation gives the units back; after it a reservation is
    /// final (committed). It must outlast the saga's deadline, the delivery retries and any dead-letter replay.
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00")]
    public TimeSpan HoldRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The coordinator stops asking the Stock actors about a claim this long before the hold retention ends: replicas'
    /// clocks may differ, and an actor that forgot the order would reserve it again.
    /// </summary>
    public static TimeSpan ClockSkewAllowance { get; } = TimeSpan.FromMinutes(10);

    public static IReadOnlyList<string> DemoSkus { get; } = ["sku-1", "sku-2", "sku-3", "sku-4", "sku-5"];
}

/// <summary>Checks the data annotations of <see cref="InventoryOptions"/> with generated code (no reflection at start-up).</summary>
[OptionsValidator]
public sealed partial class InventoryOptionsValidator : IValidateOptions<InventoryOptions>;
