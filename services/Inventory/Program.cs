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
using Dapr.Actors.Runtime;
using DaprOrders.Sidecar;
using DaprOrders.Sidecar.AppCallbacks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();

builder.Services.ConfigureHttpJsonOptions(options =>
{
    // Same shape as the contracts: optional members are omitted rather than written as null.
    options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
    options.SerializerOptions.TypeInfoResolverChain.Insert(0, InventoryJsonContext.Default);
    options.SerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default);
});
builder.Services.AddDaprSidecar();
builder.Services.AddActors(actors =>
{
    actors.Actors.RegisterActor<StockActor>();
    // JSON on the wire (typed proxies included), so apps in other languages can call and read the actor.
    actors.UseJsonSerialization = true;
});
// Actor state and method arguments use the app's JSON options (its source-generated contexts and naming).
builder.Services.AddOptions<ActorRuntimeOptions>()
    .Configure<IOptions<JsonOptions>>((actors, json) => actors.JsonSerializerOptions = json.Value.SerializerOptions);
builder.Services.AddOptions<InventoryOptions>()
    .BindConfiguration(InventoryOptions.SectionName)
    .Validate(o => o.DemoStockQuantity >= 0, "Inventory:DemoStockQuantity must be 0 or more.")
    .Validate(o => o.SeedTimeout > TimeSpan.Zero, "Inventory:SeedTimeout must be positive.")
    .ValidateOnStart();
builder.Services.AddSingleton<InventoryMetrics>();
builder.Services.AddSingleton<StockActors>();
builder.Services.AddSingleton<SkuCatalog>();
builder.Services.AddSingleton<ReservationStore>();
builder.Services.AddSingleton<StockReservationCoordinator>();
builder.Services.AddHostedService<DemoStockSeeder>();

var app = builder.Build();
app.UseServiceDefaults();
app.MapDaprSubscribeHandler();
// The SDK's composite endpoint builder has no Finally(): the token check goes on a group around the actor routes.
app.MapGroup(string.Empty).RequireDaprAppToken().MapActorsHandlers();
app.MapStockApi();
app.MapOrderEvents();
app.Run();

/// <summary>Entry point; public so tests can host the service with WebApplicationFactory.</summary>
public partial class Program;
