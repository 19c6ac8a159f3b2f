using System.Text.Json;
using System.Text.Json.Serialization;
using DaprOrders.Audit.Api;
using DaprOrders.Audit.DeadLetters;
using DaprOrders.Audit.Timeline;

namespace DaprOrders.Audit;

/// <summary>Source-generated JSON for Audit's documents and API shapes.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(OrderTimeline))]
[JsonSerializable(typeof(RecentEvents))]
[JsonSerializable(typeof(DeadLetterRecord))]
[JsonSerializable(typeof(DeadLetterSummary))]
[JsonSerializable(typeof(IReadOnlyList<DeadLetterSummary>))]
[JsonSerializable(typeof(DeadLetterIndex))]
[JsonSerializable(typeof(AuditEventsView))]
public sealed partial class AuditJsonContext : JsonSerializerContext;
