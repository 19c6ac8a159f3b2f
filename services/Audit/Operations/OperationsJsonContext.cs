using System.Text.Json.Serialization;

namespace DaprOrders.Audit.Operations;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OperationsSnapshot))]
[JsonSerializable(typeof(OrderDetailView))]
public sealed partial class OperationsJsonContext : JsonSerializerContext;
