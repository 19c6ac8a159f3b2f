using System.Text.Json;
using System.Text.Json.Serialization;

namespace DaprOrders.Fidelity.Tests.ClientSide;

internal sealed record FidelityMoney(long Amount, string Currency);

internal sealed record FidelityOrder(string OrderId, FidelityMoney? Total = null);

internal sealed record FidelityQuantity(int Qty);

internal sealed record FidelityCustomer(string CustomerId);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(FidelityOrder))]
[JsonSerializable(typeof(FidelityQuantity))]
[JsonSerializable(typeof(FidelityCustomer))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(int))]
internal sealed partial class FidelityJsonContext : JsonSerializerContext;
