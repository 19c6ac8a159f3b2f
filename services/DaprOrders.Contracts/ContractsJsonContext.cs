using System.Text.Json.Serialization;

namespace DaprOrders.Contracts;

/// <summary>
/// Source-generated System.Text.Json metadata for every contract record: camelCase names, null members omitted,
/// numbers never read from strings, and enums as their kebab-case wire names. Reading is strict about what the
/// schemas require (missing constructor parameters and nulls in non-nullable members fail) and tolerant of unknown
/// members, which is the compatibility rule consumers promise in asyncapi.yaml.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(OrderSubmission))]
[JsonSerializable(typeof(OrderCreated))]
[JsonSerializable(typeof(PaymentRequested))]
[JsonSerializable(typeof(OrderCompleted))]
[JsonSerializable(typeof(OrderCancelled))]
[JsonSerializable(typeof(StockReserved))]
[JsonSerializable(typeof(StockRejected))]
[JsonSerializable(typeof(StockReleased))]
[JsonSerializable(typeof(PaymentSucceeded))]
[JsonSerializable(typeof(PaymentFailed))]
[JsonSerializable(typeof(PaymentRefunded))]
[JsonSerializable(typeof(NotificationSent))]
[JsonSerializable(typeof(IReadOnlyList<FieldError>))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;
