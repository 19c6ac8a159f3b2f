using DaprOrders.Audit.Api;
using DaprOrders.Audit.Events;
using DaprOrders.Audit.Extensions;
using DaprOrders.Audit.Operations;
using DaprOrders.BuildingBlocks;
using DaprOrders.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddAuditServices();

var app = builder.Build();
app.UseServiceDefaults();
app.UseDaprApp();
app.MapSubscribeHandler().RequireDaprApp();
app.MapAuditApi();
app.MapDeadLetterApi();
// /ops/ and /ops/api/ only with Audit:OperationsPage:Enabled=true.
app.MapOperationsPage();
app.MapAuditSubscriptions();
app.Run();
