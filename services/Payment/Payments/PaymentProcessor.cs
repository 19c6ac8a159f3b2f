using DaprOrders.BuildingBlocks.Messaging;
using DaprOrders.BuildingBlocks.State;
using DaprOrders.Contracts;
using DaprOrders.Payment.Gateway;

namespace DaprOrders.Payment.Payments;

/// <summary>
/// Charges and refunds, exactly once per order. Two mechanisms cooperate: the gateway's idempotency key (the order id)
/// means a repeated charge returns the first charge instead of charging again, and the payment record's ETag (or
/// first-write, while there is none) picks one winner among concurrent deliveries.
/// <list type="bullet">
/// <item>Charge: read the record; only when there is none (or an earlier attempt failed) charge, then record the
/// outcome over that read. The record is written once, after the charge: a cancellation's tombstone written meanwhile
/// refuses it, and the next pass refunds the charge.</item>
/// <item>Charge outcome: only the delivery whose write records it publishes it; the first later duplicate republishes
/// the recorded outcome (the first delivery may have stopped between saving and publishing) and marks the record
/// reannounced, so that further duplicates publish nothing.</item>
/// <item>Refund: refund, publish, then save; a crash before the save repeats the (idempotent) refund and the event, so
/// the event goes out at least once; a plain duplicate cancellation finds Refunded and publishes nothing. A
/// cancellation that finds no record asks the gateway first, so a charge whose delivery stopped before recording it
/// is refunded too.</item>
/// </list>
/// Every pass reads the record with its ETag and writes it back under <see cref="ETaggedStateStore{T}"/>'s rule; a lost
/// race reads again.
/// </summary>
public sealed partial class PaymentProcessor(
    IPaymentGateway gateway,
    ETaggedStateStore<PaymentRecord> records,
    EventPublisher publisher,
    TimeProvider timeProvider,
    ILogger<PaymentProcessor> logger)
{
    /// <summary>ETag conflicts tolerated per delivery before asking daprd to redeliver later.</summary>
    private const int MaxConflicts = 5;

    public async Task<TopicStatus> OnPaymentRequestedAsync(PaymentRequested request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(request.OrderId) || string.IsNullOrEmpty(request.CustomerId)
            || request.Amount is not { Amount: >= 0, Currency.Length: > 0 })
        {
            LogUnprocessable(logger, request.OrderId, "payment.requested");
            return TopicStatus.Drop;
        }

        return await SettleAsync(request.OrderId, "payment.requested", (pass, ct) => ChargeAsync(pass, request, ct), cancellationToken);
    }

    /// <summary>One pass of payment.requested; null to read the record again.</summary>
    private async Task<TopicStatus?> ChargeAsync(StatePass<PaymentRecord> pass, PaymentRequested request, CancellationToken cancellationToken)
    {
        switch (pass.Value?.Status)
        {
            case null or PaymentStatus.Charging:
                // No record yet (the usual case) or an earlier attempt that failed: charge, then record the outcome over
                // what this pass read. The read is what keeps a tombstone from being charged: it was not there. A
                // tombstone or an outcome written while the charge was in flight refuses the write, and the next pass
                // sees it (a tombstone then refunds the charge). The gateway's idempotency key makes every repeat of the
                // charge return the first one.
                var record = pass.Value ?? PaymentRecord.StartCharging(request, Now);
                ChargeResult result;
                try
                {
                    result = await gateway.ChargeAsync(record.OrderId, record.CustomerId ?? request.CustomerId,
                        record.Amount ?? request.Amount, cancellationToken);
                }
                catch (PaymentGatewayUnavailableException ex)
                {
                    // Best effort bookkeeping; daprd redelivers per the resiliency policy (components/shared/resiliency.yaml).
                    await pass.TryWriteAsync(record.WithFailedAttempt(ex.Message, Now), cancellationToken);
                    LogGatewayUnavailable(logger, record.OrderId, ex.Message);
                    return TopicStatus.Retry;
                }

                var settled = result switch
                {
                    ChargeApproved approved => record.ToCharged(approved.PaymentId, Now),
                    ChargeDeclined declined => record.ToDeclined(declined.Code, declined.Reason, Now),
                    _ => throw new InvalidOperationException($"Unknown charge result {result.GetType().Name}."),
                };
                if (!await pass.TryWriteAsync(settled, cancellationToken))
                {
                    // A duplicate delivery settled it (same gateway answer) or a cancellation came in: look again.
                    return null;
                }

                await PublishOutcomeAsync(settled, cancellationToken);
                LogSettled(logger, settled.OrderId, settled.Status);
                return TopicStatus.Success;

            case PaymentStatus.Charged or PaymentStatus.Declined:
                // Announced again, once, unless this delivery just lost the race to the delivery that recorded it (which
                // publishes): the first delivery may have stopped between recording and publishing. The mark comes
                // after the publish, so a later repeat that finds it knows the outcome went out.
                if (!pass.AfterLostRace && !pass.Value!.Reannounced)
                {
                    await PublishOutcomeAsync(pass.Value, cancellationToken);
                    await pass.TryWriteAsync(pass.Value with { Reannounced = true }, cancellationToken);
                }

                return TopicStatus.Success;

            case PaymentStatus.CancelledBeforeCharge:
                // Never charge after a cancellation; but a charge that raced the cancellation must be given back.
                return await RefundStrayChargeAsync(pass, pass.Value!, cancellationToken) is null ? null : TopicStatus.Success;

            default:
                LogNothingToDo(logger, request.OrderId, "payment.requested", pass.Value!.Status);
                return TopicStatus.Success;
        }
    }

    public async Task<TopicStatus> OnOrderCancelledAsync(OrderCancelled cancellation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cancellation);
        return await SettleAsync(cancellation.OrderId, "order.cancelled", (pass, ct) => CancelAsync(pass, cancellation, ct), cancellationToken);
    }

    /// <summary>One pass of order.cancelled; null to read the record again.</summary>
    private async Task<TopicStatus?> CancelAsync(StatePass<PaymentRecord> pass, OrderCancelled cancellation, CancellationToken cancellationToken)
    {
        if (pass.Value is not { } record)
        {
            // No record: nothing recorded a charge, but one may have landed unrecorded (its delivery stopped after the
            // gateway answered): refund it. Otherwise write the tombstone; a charge still in flight finds it when it
            // tries to record itself, and refunds itself.
            var tombstone = PaymentRecord.Tombstone(cancellation.OrderId, cancellation.CustomerId, Now);
            switch (await RefundStrayChargeAsync(pass, tombstone, cancellationToken))
            {
                case null:
                    return null;
                case true:
                    return TopicStatus.Success;
            }

            if (!await pass.TryWriteAsync(tombstone, cancellationToken))
            {
                return null;
            }

            LogSettled(logger, cancellation.OrderId, PaymentStatus.CancelledBeforeCharge);
            return TopicStatus.Success;
        }

        switch (record.Status)
        {
            case PaymentStatus.Charged:
            {
                // Refund (idempotent per payment id), announce, then record: a crash before the record is saved makes
                // the redelivery repeat a harmless refund and the event (at least once, never lost).
                await gateway.RefundAsync(record.PaymentId!, record.Amount!, cancellationToken);
                var refunded = record.ToRefunded(record.PaymentId!, record.Amount!, Now);
                await PublishRefundedAsync(refunded, cancellationToken);
                if (!await pass.TryWriteAsync(refunded, cancellationToken))
                {
                    return null;
                }

                LogSettled(logger, refunded.OrderId, refunded.Status);
                return TopicStatus.Success;
            }

            case PaymentStatus.Charging:
            {
                // A charge may be in flight or may have landed without being recorded: ask the gateway.
                var charge = await gateway.FindChargeAsync(record.OrderId, cancellationToken);
                var next = charge switch
                {
                    ChargeApproved approved => record.ToRefunded(approved.PaymentId, approved.Amount, Now),
                    ChargeDeclined declined => record.ToDeclined(declined.Code, declined.Reason, Now, countsAttempt: false),
                    _ => record.ToCancelledBeforeCharge(Now),
                };
                if (charge is ChargeApproved landed)
                {
                    await gateway.RefundAsync(landed.PaymentId, landed.Amount, cancellationToken);
                    await PublishRefundedAsync(next, cancellationToken);
                }

                if (!await pass.TryWriteAsync(next, cancellationToken))
                {
                    return null;
                }

                LogSettled(logger, next.OrderId, next.Status);
                return TopicStatus.Success;
            }

            default:
                LogNothingToDo(logger, record.OrderId, "order.cancelled", record.Status);
                return TopicStatus.Success;
        }
    }

    /// <summary>
    /// Runs <paramref name="pass"/> over the order's payment record until it settles. An event without an order id can
    /// never be processed (DROP); too many lost races, or a gateway that does not answer, ask daprd to redeliver later.
    /// </summary>
    private async Task<TopicStatus> SettleAsync(string? orderId, string eventName,
        Func<StatePass<PaymentRecord>, CancellationToken, Task<TopicStatus?>> pass, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(orderId))
        {
            LogUnprocessable(logger, orderId, eventName);
            return TopicStatus.Drop;
        }

        try
        {
            if (await records.ChangeAsync(PaymentRecord.KeyFor(orderId), pass, MaxConflicts, cancellationToken) is { } settled)
            {
                return settled;
            }

            LogTooManyConflicts(logger, orderId, eventName);
            return TopicStatus.Retry;
        }
        catch (PaymentGatewayUnavailableException ex)
        {
            LogGatewayUnavailable(logger, orderId, ex.Message);
            return TopicStatus.Retry;
        }
    }

    /// <summary>
    /// For a cancelled order (<paramref name="record"/>: the tombstone, read or about to be written): refunds a charge
    /// the gateway holds anyway (a charge that raced the cancellation, possibly from a delivery that stopped
    /// afterwards) and records it over what <paramref name="pass"/> read. Null when the record changed meanwhile (look
    /// again); true when a refund was recorded; false when there was nothing to give back.
    /// </summary>
    private async Task<bool?> RefundStrayChargeAsync(StatePass<PaymentRecord> pass, PaymentRecord record, CancellationToken cancellationToken)
    {
        if (await gateway.FindChargeAsync(record.OrderId, cancellationToken) is not ChargeApproved stray)
        {
            LogNothingToDo(logger, record.OrderId, pass.Value is null ? "order.cancelled" : "payment.requested", record.Status);
            return false;
        }

        await gateway.RefundAsync(stray.PaymentId, stray.Amount, cancellationToken);
        var refunded = record.ToRefunded(stray.PaymentId, stray.Amount, Now);
        await PublishRefundedAsync(refunded, cancellationToken);
        if (!await pass.TryWriteAsync(refunded, cancellationToken))
        {
            return null;
        }

        LogSettled(logger, refunded.OrderId, refunded.Status);
        return true;
    }

    private DateTimeOffset Now => timeProvider.GetUtcNow();

    private Task PublishOutcomeAsync(PaymentRecord record, CancellationToken cancellationToken) =>
        record.Status == PaymentStatus.Charged
            ? publisher.PublishAsync(PubSub.Name, Topics.Of(EventTypes.PaymentSucceeded),
                new PaymentSucceeded(record.OrderId, record.PaymentId!, record.Amount!, record.EnteredAt(PaymentStatus.Charged)),
                EventTypes.PaymentSucceeded, OutcomeEventId("succeeded", record.OrderId), cancellationToken)
            : publisher.PublishAsync(PubSub.Name, Topics.Of(EventTypes.PaymentFailed),
                new PaymentFailed(record.OrderId, record.DeclineReason ?? "declined", record.DeclineCode ?? "declined", record.EnteredAt(PaymentStatus.Declined)),
                EventTypes.PaymentFailed, OutcomeEventId("failed", record.OrderId), cancellationToken);

    /// <summary>
    /// An order is charged, declined or refunded at most once, so its outcome events get stable CloudEvent ids: when a
    /// redelivered request announces the outcome again, subscribers see the same id and drop the repeat.
    /// </summary>
    internal static string OutcomeEventId(string outcome, string orderId) => $"payment-{outcome}-{orderId}";

    private Task PublishRefundedAsync(PaymentRecord record, CancellationToken cancellationToken) =>
        publisher.PublishAsync(PubSub.Name, Topics.Of(EventTypes.PaymentRefunded),
            new PaymentRefunded(record.OrderId, record.PaymentId!, record.Amount!, record.EnteredAt(PaymentStatus.Refunded)),
            EventTypes.PaymentRefunded, OutcomeEventId("refunded", record.OrderId), cancellationToken);

    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Payment of order {OrderId} is now {Status}")]
    private static partial void LogSettled(ILogger logger, string orderId, PaymentStatus status);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Nothing to do for {EventName} of order {OrderId}: payment is {Status}")]
    private static partial void LogNothingToDo(ILogger logger, string orderId, string eventName, PaymentStatus status);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Payment gateway unavailable for order {OrderId}; asking for redelivery: {Reason}")]
    private static partial void LogGatewayUnavailable(ILogger logger, string orderId, string reason);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Too many concurrent updates of payment {OrderId} while handling {EventName}; asking for redelivery")]
    private static partial void LogTooManyConflicts(ILogger logger, string orderId, string eventName);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Dropping {EventName} of order {OrderId}: order id, customer or amount missing")]
    private static partial void LogUnprocessable(ILogger logger, string? orderId, string eventName);
}
