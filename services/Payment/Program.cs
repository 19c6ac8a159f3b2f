using DaprOrders.BuildingBlocks;
using DaprOrders.Payment.Api;
using DaprOrders.Payment.Events;
using DaprOrders.Payment.Extensions;
using DaprOrders.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddPaymentServices();

var app = builder.Build();
app.UseServiceDefaults();
app.UseDaprApp();
app.MapSubscribeHandler().RequireDaprApp();
app.MapPaymentApi();
app.MapPaymentSubscriptions();
app.Run();

/// <summary>Entry point; public so tests can host the service with WebApplicationFactory.</summary>
public partial class Program;
