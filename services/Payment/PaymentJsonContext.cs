using System.Text.Json.Serialization;
using DaprOrders.Payment.Gateway;
using DaprOrders.Payment.Payments;

namespace DaprOrders.Payment;

/// <summary>Source-generated JSON for Payment's own documents: the payment record and the ledger summary.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PaymentRecord))]
[JsonSerializable(typeof(PaymentLedgerSummary))]
public sealed partial class PaymentJsonContext : JsonSerializerContext;
