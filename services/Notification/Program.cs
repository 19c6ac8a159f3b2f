using DaprOrders.BuildingBlocks;
using DaprOrders.Notification.Api;
using DaprOrders.Notification.Events;
using DaprOrders.Notification.Extensions;
using DaprOrders.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddNotificationServices();

var app = builder.Build();
app.UseServiceDefaults();
app.UseDaprApp();
app.MapSubscribeHandler().RequireDaprApp();
app.MapNotificationApi();
app.MapNotificationSubscriptions();
app.Run();
