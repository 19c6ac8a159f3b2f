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
/// id). A turn that fails after storing is redelivered and finds the document already there, so it announces again.
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
        OrderStatus? before = null;
        var decision = await orders.ChangeAsync(orderId, order =>
        {
            before = order?.Status;
            var step = order is null ? SagaStep.Ignore : OrderSaga.Decide(order, input, timeProvider.GetUtcNow());
            return new StateChange<OrderDocument, SagaStep>(step.Store, step);
        }, cancellationToken);

        if (before is not { } status)
        {
            // An event for an order that was never stored, or the orphan deadline of a submission that was not.
            LogUnknownOrder(logger, orderId, input.Name);
            return;
        }

        var step = decision.Result;
        if (step.Store is { } stored)
        {
            index.Enqueue(stored, status);
            metrics.StatusRecorded(status, stored);
        }

        foreach (var effect in step.Effects)
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
