using DaprOrders.BuildingBlocks;
using DaprOrders.Inventory.Api;
using DaprOrders.Inventory.Events;
using DaprOrders.Inventory.Extensions;
using DaprOrders.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddInventoryServices();

var app = builder.Build();
app.UseServiceDefaults();
app.UseDaprApp();
app.MapSubscribeHandler().RequireDaprApp();
app.MapDaprActors();
app.MapStockApi();
app.MapInventorySubscriptions();
app.Run();

/// <summary>Entry point; public so tests can host the service with WebApplicationFactory.</summary>
public partial class Program;
