using System.Text.Json.Serialization;
using DaprOrders.Inventory.Api;
using DaprOrders.Inventory.Catalog;
using DaprOrders.Inventory.Reservations;
using DaprOrders.Inventory.Stock;

namespace DaprOrders.Inventory;

/// <summary>Source-generated JSON for Inventory's own documents: actor messages, actor state, records, API bodies.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StockLevel))]
[JsonSerializable(typeof(StockReservationRequest))]
[JsonSerializable(typeof(StockReservationResult))]
[JsonSerializable(typeof(StockReleaseResult))]
[JsonSerializable(typeof(StockSnapshot))]
[JsonSerializable(typeof(StockReservationRecord))]
[JsonSerializable(typeof(SkuIndex))]
[JsonSerializable(typeof(SetStockRequest))]
[JsonSerializable(typeof(StockLevelView))]
[JsonSerializable(typeof(StockLevelView[]))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
public sealed partial class InventoryJsonContext : JsonSerializerContext;
