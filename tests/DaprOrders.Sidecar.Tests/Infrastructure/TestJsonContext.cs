using System.Text.Json;
using System.Text.Json.Serialization;

namespace DaprOrders.Sidecar.Tests.Infrastructure;

public sealed record Order(int OrderId, decimal Amount);

public sealed record OrderLine(string Sku, int Quantity);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Order))]
[JsonSerializable(typeof(OrderLine))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(Dictionary<string, int>))]
public sealed partial class TestJsonContext : JsonSerializerContext;
