using DaprOrders.BuildingBlocks.Messaging;
using DaprOrders.BuildingBlocks.State;
using DaprOrders.Contracts;
using DaprOrders.Ordering.Index;
using DaprOrders.Ordering.Orders;
using DaprOrders.Ordering.Telemetry;

namespace DaprOrders.Ordering.Saga;

/// <summary>
/// One turn of an order's saga, where the input arrives (a topic delivery, or the deadline reminder in
/// <see cref="OrderProcessActor"/>): read the order document with its ETag, let <see cref="OrderSaga"/> decide, store
/// the decision under the ETag, then announce. Turns of one order may run at once (two deliveries, a delivery and the
/// deadline, two replicas): the ETag lets one store, and the other reads again and decides from what that one stored,
/// so exactly one of them moves the order and the other at most repeats its announcement (a duplicate by CloudEvent
/// id). A turn that fails after storing is redelivered and finds the document already there, so it announces again,
/// once (<see cref="OrderSaga"/>).
/// </summary>
public sealed partial class OrderSagaTurns(
    OrderStore orders,
    EventPublisher events,
    OrderDeadline deadline,
    OrderIndexWriter index,
    OrderingMetrics metrics,
    TimeProvider timeProvider,
    ILogger<OrderSagaTurns> logger)
{
    public async Task RunAsync(string orderId, SagaInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        await orders.ChangeAsync(orderId, (pass, ct) => TurnAsync(pass, orderId, input, ct), cancellationToken);
    }

    /// <summary>One pass over the order as read; null when its write lost a race (read again and decide again).</summary>
    private async Task<bool?> TurnAsync(StatePass<OrderDocument> pass, string orderId, SagaInput input, CancellationToken cancellationToken)
    {
        if (pass.Value is not { } order)
        {
            // An event for an order that was never stored, or the orphan deadline of a submission that was not.
            LogUnknownOrder(logger, orderId, input.Name);
            return true;
        }

        var step = OrderSaga.Decide(order, input, timeProvider.GetUtcNow());
        if (step.Store is { } stored)
        {
            if (!await pass.TryWriteAsync(stored, cancellationToken))
            {
                return null;
            }

            index.Enqueue(stored, order.Status);
            metrics.StatusRecorded(order.Status, stored);
        }

        await RunEffectsAsync(orderId, step.Effects, cancellationToken);
        if (step.StoreAfter is { } marked)
        {
            // Refused: another turn changed the order since this one read it, and announces what it stored itself.
            await pass.TryWriteAsync(marked, cancellationToken);
        }

        return true;
    }

    private async Task RunEffectsAsync(string orderId, IReadOnlyList<SagaEffect> effects, CancellationToken cancellationToken)
    {
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case SagaEffect.PublishPaymentRequested publish:
                    await events.PublishAsync(PubSub.Name, Topics.Of(EventTypes.PaymentRequested), publish.Event, EventTypes.PaymentRequested, publish.EventId, cancellationToken);
                    break;
                case SagaEffect.PublishOrderCompleted publish:
                    await events.PublishAsync(PubSub.Name, Topics.Of(EventTypes.OrderCompleted), publish.Event, EventTypes.OrderCompleted, publish.EventId, cancellationToken);
                    break;
                case SagaEffect.PublishOrderCancelled publish:
                    await events.PublishAsync(PubSub.Name, Topics.Of(EventTypes.OrderCancelled), publish.Event, EventTypes.OrderCancelled, publish.EventId, cancellationToken);
                    break;
                case SagaEffect.CancelDeadline:
                    await deadline.DisarmAsync(orderId, cancellationToken);
                    break;
                default:
                    throw new InvalidOperationException($"Unknown saga effect {effect.GetType().Name}.");
            }
        }
    }

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Order {OrderId} ignored {Input}: no such order")]
    private static partial void LogUnknownOrder(ILogger logger, string orderId, string input);
}
