using System.Text.Json.Serialization;
using DaprOrders.Contracts;
using DaprOrders.Inventory;
using DaprOrders.Inventory.Api;
using DaprOrders.Inventory.Catalog;
using DaprOrders.Inventory.Events;
using DaprOrders.Inventory.Reservations;
using DaprOrders.Inventory.Seeding;
using DaprOrders.Inventory.Stock;
using DaprOrders.Inventory.Telemetry;
using DaprOrders.ServiceDefaults;
using Dapr.Client;
using DaprOrders.BuildingBlocks;
using DaprOrders.BuildingBlocks.State;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();

builder.Services.ConfigureHttpJsonOptions(options =>
{
    // Same shape as the contracts: optional members are omitted rather than written as null.
    options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
    options.SerializerOptions.TypeInfoResolverChain.Insert(0, InventoryJsonContext.Default);
    options.SerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default);
});
builder.AddDaprApp();
builder.AddDaprActors(actors => actors.Actors.RegisterActor<StockActor>());
builder.Services.AddOptions<InventoryOptions>()
    .BindConfiguration(InventoryOptions.SectionName)
    .Validate(o => o.DemoStockQuantity >= 0, "Inventory:DemoStockQuantity must be 0 or more.")
    .Validate(o => o.SeedTimeout > TimeSpan.Zero, "Inventory:SeedTimeout must be positive.")
    .ValidateOnStart();
builder.Services.AddSingleton<InventoryMetrics>();
builder.Services.AddSingleton<StockActors>();
builder.Services.AddSingleton<SkuCatalog>();
builder.Services.AddSingleton(services =>
    new ETaggedStateStore<StockReservationRecord>(services.GetRequiredService<DaprClient>(), InventoryOptions.StateStoreName));
builder.Services.AddSingleton<StockReservationCoordinator>();
builder.Services.AddHostedService<DemoStockSeeder>();

var app = builder.Build();
app.UseServiceDefaults();
app.UseDaprApp();
app.MapSubscribeHandler().RequireDaprApp();
app.MapDaprActors();
app.MapStockApi();
app.MapOrderEvents();
app.Run();

/// <summary>Entry point; public so tests can host the service with WebApplicationFactory.</summary>
public partial class Program;
