using Dapr.Client;
using DaprOrders.BuildingBlocks;
using DaprOrders.BuildingBlocks.State;
using DaprOrders.Contracts;
using DaprOrders.Inventory.Catalog;
using DaprOrders.Inventory.Reservations;
using DaprOrders.Inventory.Seeding;
using DaprOrders.Inventory.Stock;
using DaprOrders.Inventory.Telemetry;
using DaprOrders.ServiceDefaults;

namespace DaprOrders.Inventory.Extensions;

public static class InventoryServiceExtensions
{
    /// <summary>Everything Inventory registers: the Dapr app and its Stock actors, its settings (checked at start), the catalog, reservations and the demo seeder.</summary>
    public static void AddInventoryServices(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddDaprApp(ContractsJsonContext.Default, InventoryJsonContext.Default);
        builder.AddDaprActors(actors => actors.Actors.RegisterActor<StockActor>());

        builder.Services.AddValidatedOptions<InventoryOptions, InventoryOptionsValidator>(InventoryOptions.SectionName);

        builder.Services.AddSingleton<InventoryMetrics>();
        builder.Services.AddSingleton<StockActors>();
        builder.Services.AddSingleton<SkuCatalog>();
        builder.Services.AddSingleton(sp =>
            new ETaggedStateStore<StockReservationRecord>(sp.GetRequiredService<DaprClient>(), InventoryOptions.StateStoreName));
        builder.Services.AddSingleton<StockReservationCoordinator>();
        builder.Services.AddHostedService<DemoStockSeeder>();
    }
}
