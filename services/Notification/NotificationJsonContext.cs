using System.Text.Json.Serialization;
using DaprOrders.Notification.Channels;
using DaprOrders.Notification.Notifications;

namespace DaprOrders.Notification;

/// <summary>Source-generated JSON for the service's own documents and API shapes (contracts use ContractsJsonContext).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NotificationRecord))]
[JsonSerializable(typeof(RecentNotifications))]
[JsonSerializable(typeof(OrderNotification))]
[JsonSerializable(typeof(NotificationView))]
[JsonSerializable(typeof(IReadOnlyList<NotificationView>))]
public sealed partial class NotificationJsonContext : JsonSerializerContext;
