using System.Text.Json;
using DaprOrders.Contracts;
using DaprOrders.Notification.Channels;
using DaprOrders.Notification.Notifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DaprOrders.Notification.Tests.Infrastructure;

/// <summary>
/// The Notification service on the emulator (<see cref="ServiceOnEmulator{TProgram}"/>), on a virtual clock, recording
/// <c>notification-sent</c>; with <see cref="SidecarFaults"/> given, its sidecar calls go through them.
/// </summary>
internal static class NotificationService
{
    public const string StateStore = "statestore";

    public static async Task<(ServiceOnEmulator<Program> Bed, FakeTimeProvider Clock)> StartAsync(
        INotificationChannel? channel = null, IReadOnlyDictionary<string, string?>? settings = null, SidecarFaults? faults = null)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
        var bed = await ServiceOnEmulator<Program>.StartAsync("notification", options =>
        {
            options.RecordedTopics.Add(Topics.NotificationSent);
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                options.Settings[key] = value;
            }

            options.ConfigureServices = services =>
            {
                services.AddSingleton<TimeProvider>(clock);
                faults?.AddDaprClient(services);
                if (channel is not null)
                {
                    services.AddScoped(_ => channel);
                }
            };
        });
        return (bed, clock);
    }

    public static async Task<JsonElement?> RecordAsync(this ServiceOnEmulator<Program> bed, string orderId) =>
        await bed.Dapr.GetStateAsync<JsonElement?>(StateStore, NotificationStore.RecordKey(orderId));

    public static async Task<(JsonElement? Value, string ETag)> MailboxAsync(this ServiceOnEmulator<Program> bed, string orderId) =>
        await bed.Dapr.GetStateAndETagAsync<JsonElement?>(StateStore, StoredNotificationChannel.MailboxKey(orderId));

    public static Task SeedRecordAsync(this ServiceOnEmulator<Program> bed, NotificationRecord record) =>
        bed.Dapr.SaveStateAsync(StateStore, NotificationStore.RecordKey(record.OrderId),
            JsonSerializer.SerializeToElement(record, NotificationJsonContext.Default.NotificationRecord));

    /// <summary>The <c>notification.sent</c> events published so far, once the broker delivered everything queued.</summary>
    public static async Task<IReadOnlyList<JsonElement>> AnnouncementsAsync(this ServiceOnEmulator<Program> bed)
    {
        await bed.Emulator.Services.GetRequiredService<DaprOrders.Emulator.PubSub.PubSubBroker>().WaitForIdleAsync(TimeSpan.FromSeconds(30));
        return bed.Published(Topics.NotificationSent);
    }
}
