using DaprOrders.BuildingBlocks;
using DaprOrders.Contracts;
using DaprOrders.Notification.Channels;
using DaprOrders.Notification.Notifications;
using DaprOrders.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace DaprOrders.Notification.Extensions;

public static class NotificationServiceExtensions
{
    /// <summary>Everything Notification registers: the Dapr app, its settings (checked at start), the store, the notifier and the configured channel.</summary>
    public static void AddNotificationServices(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddDaprApp(ContractsJsonContext.Default, NotificationJsonContext.Default);

        builder.Services.AddValidatedOptions<NotificationOptions, NotificationOptionsValidator>(NotificationOptions.SectionName);

        builder.Services.AddSingleton<NotificationStore>();
        builder.Services.AddScoped<OrderNotifier>();
        builder.Services.AddSingleton<RecentNotificationsWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RecentNotificationsWriter>());
        builder.Services.AddSingleton<StoredNotificationChannel>();
        builder.Services.AddSingleton<WebhookNotificationChannel>();
        // Stored or external decides the protocol of OrderNotifier (see INotificationChannel).
        builder.Services.AddScoped<INotificationChannel>(sp =>
            sp.GetRequiredService<IOptions<NotificationOptions>>().Value.Channel == NotificationOptions.WebhookChannel
                ? sp.GetRequiredService<WebhookNotificationChannel>()
                : sp.GetRequiredService<StoredNotificationChannel>());
    }
}
