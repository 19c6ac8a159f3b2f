using System.Text.Json.Serialization;
using DaprOrders.BuildingBlocks;
using DaprOrders.Contracts;
using DaprOrders.Notification;
using DaprOrders.Notification.Api;
using DaprOrders.Notification.Channels;
using DaprOrders.Notification.Notifications;
using DaprOrders.ServiceDefaults;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.ConfigureHttpJsonOptions(o =>
{
    // One serializer setup for the API, state and events (DaprClient uses this object): optional members are omitted
    // rather than written as null, as in the contracts.
    o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
    o.SerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default);
    o.SerializerOptions.TypeInfoResolverChain.Insert(1, NotificationJsonContext.Default);
});
builder.AddDaprApp();

builder.Services.AddOptions<NotificationOptions>()
    .BindConfiguration(NotificationOptions.SectionName)
    .Validate(o => o.Channel is NotificationOptions.StoredChannel or NotificationOptions.WebhookChannel,
        $"{NotificationOptions.SectionName}:Channel must be '{NotificationOptions.StoredChannel}' or '{NotificationOptions.WebhookChannel}'.")
    .Validate(o => o.Channel != NotificationOptions.WebhookChannel || !string.IsNullOrWhiteSpace(o.BindingName),
        $"{NotificationOptions.SectionName}:BindingName is required when {NotificationOptions.SectionName}:Channel is '{NotificationOptions.WebhookChannel}'.")
    .ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<NotificationOptions>, NotificationOptionsValidator>();

builder.Services.AddSingleton<NotificationStore>();
builder.Services.AddScoped<OrderNotifier>();
builder.Services.AddSingleton<RecentNotificationsWriter>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<RecentNotificationsWriter>());
builder.Services.AddSingleton<StoredNotificationChannel>();
builder.Services.AddSingleton<WebhookNotificationChannel>();
builder.Services.AddScoped<INotificationChannel>(services =>
    services.GetRequiredService<IOptions<NotificationOptions>>().Value.Channel == NotificationOptions.WebhookChannel
        ? services.GetRequiredService<WebhookNotificationChannel>()
        : services.GetRequiredService<StoredNotificationChannel>());

var app = builder.Build();
app.UseServiceDefaults();
app.UseDaprApp();
app.MapSubscribeHandler().RequireDaprApp();
app.MapNotificationApi();
app.MapNotificationEvents(app.Services.GetRequiredService<IOptions<NotificationOptions>>().Value.PubsubName);
app.Run();
