using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace DaprOrders.Inventory.Telemetry;

/// <summary>
/// Stock levels as observable gauges (meter <c>DaprOrders.Inventory</c>), one series per SKU, from the last values a
/// <c>Stock</c> actor hosted in this process saw. Actors move between replicas, so sum over instances only the latest
/// point per SKU (dashboards take <c>max by (sku)</c>).
/// </summary>
public sealed class InventoryMetrics
{
    public const string MeterName = "DaprOrders.Inventory";
    public const string Available = "daprorders.inventory.stock.available";
    public const string Reserved = "daprorders.inventory.stock.reserved";

    private readonly ConcurrentDictionary<string, (int Available, int Reserved)> _levels = new(StringComparer.Ordinal);

    public InventoryMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge(Available, () => Observe(l => l.Available), "{item}", "Units of a SKU available for new orders (last known).");
        meter.CreateObservableGauge(Reserved, () => Observe(l => l.Reserved), "{item}", "Units of a SKU held by orders of the hold retention, which a cancellation gives back (last known).");
    }

    public void StockObserved(string sku, int available, int reserved) => _levels[sku] = (available, reserved);

    private IEnumerable<Measurement<int>> Observe(Func<(int Available, int Reserved), int> value) =>
        _levels.Select(l => new Measurement<int>(value(l.Value), new KeyValuePair<string, object?>("sku", l.Key)));
}
