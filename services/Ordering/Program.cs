using DaprOrders.BuildingBlocks;
using DaprOrders.Ordering.Api;
using DaprOrders.Ordering.Extensions;
using DaprOrders.Ordering.Events;
using DaprOrders.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddOrderingServices();

var app = builder.Build();
app.UseServiceDefaults();
app.UseDaprApp();
app.UseRateLimiter();
app.MapSubscribeHandler().RequireDaprApp();
app.MapDaprActors();
app.MapOrderApi();
app.MapOrderingSubscriptions();
app.Run();

/// <summary>Entry point; public so tests can host the service with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
