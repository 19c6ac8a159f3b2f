using System.Text.Json.Serialization;
using DaprOrders.Ordering.Api;
using DaprOrders.Ordering.Index;
using DaprOrders.Ordering.Orders;

namespace DaprOrders.Ordering;

/// <summary>
/// Source-generated JSON for the service's own documents and responses (the contract records are in
/// <c>ContractsJsonContext</c>). Same conventions as the contracts: camelCase, nulls omitted.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(OrderDocument))]
[JsonSerializable(typeof(OrderView))]
[JsonSerializable(typeof(OrderAccepted))]
[JsonSerializable(typeof(BatchEntryResult[]))]
[JsonSerializable(typeof(IReadOnlyList<BatchEntryResult>))]
[JsonSerializable(typeof(OrderList))]
[JsonSerializable(typeof(OrderStats))]
[JsonSerializable(typeof(OrderIndexDocument))]
[JsonSerializable(typeof(SubmitOrderCloudEvent))]
public sealed partial class OrderingJsonContext : JsonSerializerContext;
