using DaprOrders.Contracts;
using DaprOrders.Notification;
using DaprOrders.Notification.Api;
using DaprOrders.Notification.Channels;
using DaprOrders.Notification.Notifications;
using DaprOrders.ServiceDefaults;
using DaprOrders.Sidecar;
using DaprOrders.Sidecar.AppCallbacks;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddDaprSidecar();
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default);
    o.SerializerOptions.TypeInfoResolverChain.Insert(1, NotificationJsonContext.Default);
});

builder.Services.AddOptions<NotificationOptions>()
    .BindConfiguration(NotificationOptions.SectionName)
    .Validate(o => o.Channel is NotificationOptions.StoredChannel or NotificationOptions.WebhookChannel,
        $"{NotificationOptions.SectionName}:Channel must be '{NotificationOptions.StoredChannel}' or '{NotificationOptions.WebhookChannel}'.")
    .Validate(o => o.Channel != NotificationOptions.WebhookChannel || !string.IsNullOrWhiteSpace(o.BindingName),
        $"{NotificationOptions.SectionName}:BindingName is required when {NotificationOptions.SectionName}:Channel is '{NotificationOptions.WebhookChannel}'.")
    .ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<NotificationOptions>, NotificationOptionsValidator>();

// Scoped: they hold typed HttpClients, which belong to a scope rather than to a singleton.
builder.Services.AddScoped<NotificationStore>();
builder.Services.AddScoped<OrderNotifier>();
builder.Services.AddSingleton<RecentNotificationsWriter>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<RecentNotificationsWriter>());
builder.Services.AddScoped<StoredNotificationChannel>();
builder.Services.AddHttpClient<WebhookNotificationChannel>(http => http.Timeout = Timeout.InfiniteTimeSpan)
    // Same transport settings as the sidecar client: the sidecar is local, no proxy, no cookies.
    .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
builder.Services.AddScoped<INotificationChannel>(services =>
    services.GetRequiredService<IOptions<NotificationOptions>>().Value.Channel == NotificationOptions.WebhookChannel
        ? services.GetRequiredService<WebhookNotificationChannel>()
        : services.GetRequiredService<StoredNotificationChannel>());

var app = builder.Build();
app.UseServiceDefaults();
app.MapDaprSubscribeHandler();
app.MapNotificationApi();
app.MapNotificationEvents(app.Services.GetRequiredService<IOptions<NotificationOptions>>().Value.PubsubName);
app.Run();
