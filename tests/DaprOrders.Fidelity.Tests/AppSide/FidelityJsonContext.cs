using System.Text.Json;
using System.Text.Json.Serialization;

namespace DaprOrders.Fidelity.Tests.AppSide;

internal sealed record FidelityOrder(string OrderId);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(FidelityOrder))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class FidelityJsonContext : JsonSerializerContext;
