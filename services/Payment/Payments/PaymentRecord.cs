using System.Text.Json.Serialization;
using DaprOrders.Contracts;

namespace DaprOrders.Payment.Payments;

[JsonConverter(typeof(JsonStringEnumConverter<PaymentStatus>))]
public enum PaymentStatus
{
    /// <summary>A charge was requested and may be in flight at the gateway.</summary>
    Charging,

    Charged,

    Declined,

    Refunded,

    /// <summary>Tombstone: the order was cancelled before it was charged; a late payment.requested must never charge.</summary>
    CancelledBeforeCharge,
}

public sealed record PaymentHistoryEntry(PaymentStatus Status, DateTimeOffset At, string? Detail = null);

/// <summary>
/// The per-order payment record in <c>statestore</c> (key <c>payment-{orderId}</c>), created first-write and then
/// replaced with its ETag. The transitions below are the whole state machine; the processor only decides which to
/// attempt and lets the ETag pick one winner among concurrent deliveries. A charge is recorded once, after the gateway
/// answered: <c>Charging</c> is written only when an attempt failed transiently (bookkeeping of the attempts).
/// <see cref="Reannounced"/>: a repeated <c>payment.requested</c> found the outcome recorded and announced it again,
/// so later repeats announce nothing (docs/saga.md, "Only the first repeat announces again").
/// <code>
/// (none) ─requested→ [Charging] ─approved→ Charged ─cancelled→ Refunded
///    │                  │  └──declined→ Declined
///    │                  └─cancelled (no charge at gateway)→ CancelledBeforeCharge ─(a charge landed anyway)→ Refunded
///    └─cancelled→ CancelledBeforeCharge (or Refunded, when the gateway holds a charge nothing recorded)
/// </code>
/// </summary>
public sealed record PaymentRecord(
    string OrderId,
    PaymentStatus Status,
    string? CustomerId,
    Money? Amount,
    int Attempts,
    string? PaymentId,
    string? DeclineCode,
    string? DeclineReason,
    IReadOnlyList<PaymentHistoryEntry> History,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Reannounced = false)
{
    /// <summary>The state store that holds payment records.</summary>
    public const string StoreName = "statestore";

    public static string KeyFor(string orderId) => "payment-" + orderId;

    [JsonIgnore]
    public bool IsTerminal => Status is PaymentStatus.Declined or PaymentStatus.Refunded;

    public static PaymentRecord StartCharging(PaymentRequested request, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new PaymentRecord(request.OrderId, PaymentStatus.Charging, request.CustomerId, request.Amount, 0, null, null, null,
            [new PaymentHistoryEntry(PaymentStatus.Charging, now)]);
    }

    public static PaymentRecord Tombstone(string orderId, string? customerId, DateTimeOffset now) =>
        new(orderId, PaymentStatus.CancelledBeforeCharge, customerId, null, 0, null, null, null,
            [new PaymentHistoryEntry(PaymentStatus.CancelledBeforeCharge, now, "order cancelled before any charge")]);

    /// <summary>Counts a gateway attempt that failed transiently; the record stays <see cref="PaymentStatus.Charging"/>.</summary>
    public PaymentRecord WithFailedAttempt(string detail, DateTimeOffset now)
    {
        Require(PaymentStatus.Charging);
        return this with { Attempts = Attempts + 1, History = [.. History, new PaymentHistoryEntry(PaymentStatus.Charging, now, detail)] };
    }

    public PaymentRecord ToCharged(string paymentId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(paymentId);
        Require(PaymentStatus.Charging);
        return this with
        {
            Status = PaymentStatus.Charged,
            PaymentId = paymentId,
            Attempts = Attempts + 1,
            History = [.. History, new PaymentHistoryEntry(PaymentStatus.Charged, now, paymentId)],
        };
    }

    public PaymentRecord ToDeclined(string code, string reason, DateTimeOffset now, bool countsAttempt = true)
    {
        Require(PaymentStatus.Charging);
        return this with
        {
            Status = PaymentStatus.Declined,
            DeclineCode = code,
            DeclineReason = reason,
            Attempts = countsAttempt ? Attempts + 1 : Attempts,
            History = [.. History, new PaymentHistoryEntry(PaymentStatus.Declined, now, code)],
        };
    }

    /// <summary>The order was cancelled while <see cref="PaymentStatus.Charging"/> and the gateway holds no charge.</summary>
    public PaymentRecord ToCancelledBeforeCharge(DateTimeOffset now)
    {
        Require(PaymentStatus.Charging);
        return this with
        {
            Status = PaymentStatus.CancelledBeforeCharge,
            History = [.. History, new PaymentHistoryEntry(PaymentStatus.CancelledBeforeCharge, now, "order cancelled while charging; no charge found")],
        };
    }

    /// <summary>
    /// Refunded from <see cref="PaymentStatus.Charged"/>, or from Charging/CancelledBeforeCharge when the gateway turns out
    /// to hold a charge (it landed while the cancellation was being handled).
    /// </summary>
    public PaymentRecord ToRefunded(string paymentId, Money amount, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(paymentId);
        ArgumentNullException.ThrowIfNull(amount);
        if (Status is not (PaymentStatus.Charged or PaymentStatus.Charging or PaymentStatus.CancelledBeforeCharge))
        {
            throw InvalidMove(PaymentStatus.Refunded);
        }

        // A charge that landed without being recorded enters the history when it is found, so that the history tells
        // every charge that happened and its refund.
        IReadOnlyList<PaymentHistoryEntry> found = Status == PaymentStatus.Charged
            ? []
            : [new PaymentHistoryEntry(PaymentStatus.Charged, now, paymentId + " (found at the gateway)")];
        return this with
        {
            Status = PaymentStatus.Refunded,
            PaymentId = paymentId,
            Amount = amount,
            Reannounced = false,
            History = [.. History, .. found, new PaymentHistoryEntry(PaymentStatus.Refunded, now, paymentId)],
        };
    }

    /// <summary>When the record entered <paramref name="status"/> (republished events keep the original time).</summary>
    public DateTimeOffset EnteredAt(PaymentStatus status) =>
        History.LastOrDefault(h => h.Status == status)?.At ?? History[^1].At;

    private void Require(PaymentStatus expected)
    {
        if (Status != expected)
        {
            throw new InvalidOperationException($"Payment of order {OrderId} is {Status}, not {expected}.");
        }
    }

    private InvalidOperationException InvalidMove(PaymentStatus next) =>
        new($"Payment of order {OrderId} cannot move from {Status} to {next}.");
}
