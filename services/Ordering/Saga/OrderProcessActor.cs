using System.Text.Json;
using DaprOrders.Contracts;
using DaprOrders.Ordering.Index;
using DaprOrders.Ordering.Orders;
using DaprOrders.Ordering.Telemetry;
using DaprOrders.Sidecar;
using DaprOrders.Sidecar.Actors;
using Microsoft.Extensions.Options;

namespace DaprOrders.Ordering.Saga;

/// <summary>
/// Drives the saga of one order (actor id = order id). Decisions come from <see cref="OrderSaga"/>; this class only
/// loads state, carries out the effects and remembers the outcome. daprd runs one turn at a time per order, so the
/// saga never races with itself; every method is safe to call again with the same event.
/// </summary>
public sealed partial class OrderProcessActor(
    OrderStore orders,
    OrderIndexWriter index,
    IOptions<SagaOptions> options,
    TimeProvider timeProvider,
    OrderingMetrics metrics,
    ILogger<OrderProcessActor> logger) : Actor, IRemindable
{
    public const string TypeName = "OrderProcess";
    public const string DeadlineReminder = "deadline";
    public const string StateName = "saga";

    /// <summary>Starts the saga (status Reserving, deadline reminder). A second call changes nothing.</summary>
    public async Task StartAsync(OrderCreated created, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(created);
        if (created.OrderId != Id)
        {
            LogWrongOrder(logger, Id, created.OrderId, nameof(StartAsync));
            return;
        }

        if ((await StateManager.TryGetStateAsync<OrderSagaState>(StateName, cancellationToken)).HasValue)
        {
            return;
        }

        await ExecuteAsync(previous: null, OrderSaga.Start(created, timeProvider.GetUtcNow(), options.Value.Deadline), cancellationToken);
    }

    public Task OnStockReservedAsync(StockReserved reserved, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reserved);
        return HandleAsync(reserved.OrderId, new SagaInput.StockWasReserved(reserved), cancellationToken);
    }

    public Task OnStockRejectedAsync(StockRejected rejected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        return HandleAsync(rejected.OrderId, new SagaInput.StockWasRejected(rejected), cancellationToken);
    }

    public Task OnPaymentSucceededAsync(PaymentSucceeded succeeded, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(succeeded);
        return HandleAsync(succeeded.OrderId, new SagaInput.PaymentWasTaken(succeeded), cancellationToken);
    }

    public Task OnPaymentFailedAsync(PaymentFailed failed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failed);
        return HandleAsync(failed.OrderId, new SagaInput.PaymentWasDeclined(failed), cancellationToken);
    }

    public Task ReceiveReminderAsync(string reminderName, JsonElement? data, CancellationToken cancellationToken) =>
        reminderName == DeadlineReminder
            ? HandleAsync(Id, new SagaInput.DeadlinePassed(), cancellationToken)
            : Task.CompletedTask;

    private async Task HandleAsync(string orderId, SagaInput input, CancellationToken cancellationToken)
    {
        if (orderId != Id)
        {
            LogWrongOrder(logger, Id, orderId, input.Marker);
            return;
        }

        var state = await LoadOrStartAsync(cancellationToken);
        if (state is null)
        {
            LogUnknownOrder(logger, Id, input.Marker);
            return;
        }

        await ExecuteAsync(state, OrderSaga.Apply(state, input, timeProvider.GetUtcNow()), cancellationToken);
    }

    /// <summary>
    /// The saga state, or — when an inventory or payment event overtook <c>order.created</c> — the saga started from
    /// the stored order. Null when no such order exists.
    /// </summary>
    private async Task<OrderSagaState?> LoadOrStartAsync(CancellationToken cancellationToken)
    {
        var stored = await StateManager.TryGetStateAsync<OrderSagaState>(StateName, cancellationToken);
        if (stored.HasValue)
        {
            return stored.Value;
        }

        var order = await orders.GetAsync(Id, cancellationToken);
        if (order is null)
        {
            return null;
        }

        var start = OrderSaga.Start(order.ToCreatedEvent(), timeProvider.GetUtcNow(), options.Value.Deadline);
        if (order.Status.IsTerminal())
        {
            var ended = start.State with { Status = order.Status, CancellationReason = order.CancellationReason };
            await StateManager.SetStateAsync(StateName, ended, cancellationToken);
            return ended;
        }

        await ExecuteAsync(previous: null, start, cancellationToken);
        return start.State;
    }

    private async Task ExecuteAsync(OrderSagaState? previous, SagaStep step, CancellationToken cancellationToken)
    {
        if (!step.Changed)
        {
            return;
        }

        var status = previous?.Status ?? OrderStatus.Submitted;
        foreach (var effect in step.Effects)
        {
            switch (effect)
            {
                case SagaEffect.RecordStatus record:
                    var stored = await orders.ChangeStatusAsync(Id, record.Status, record.At, record.Reason, record.Detail, cancellationToken)
                        ?? throw new InvalidOperationException($"Order {Id} has no order document in {OrderStore.StoreName}.");
                    if (stored.Status != record.Status && stored.Status.IsTerminal() && previous is not null)
                    {
                        // An earlier, failed turn ended the order differently; the document is the truth.
                        LogAdopted(logger, Id, stored.Status, record.Status);
                        index.Enqueue(stored, status);
                        await ExecuteAsync(previous: null, OrderSaga.Adopt(previous, stored, timeProvider.GetUtcNow()), cancellationToken);
                        return;
                    }

                    index.Enqueue(stored, status);
                    metrics.StatusRecorded(status, stored);
                    status = stored.Status;
                    break;
                case SagaEffect.PublishPaymentRequested publish:
                    await Sidecar.PublishEventAsync(PubSub.Name, Topics.Orders, publish.Event, ContractsJsonContext.Default.PaymentRequested,
                        new PublishOptions { CloudEventType = EventTypes.PaymentRequested }, cancellationToken);
                    break;
                case SagaEffect.PublishOrderCompleted publish:
                    await Sidecar.PublishEventAsync(PubSub.Name, Topics.Orders, publish.Event, ContractsJsonContext.Default.OrderCompleted,
                        new PublishOptions { CloudEventType = EventTypes.OrderCompleted }, cancellationToken);
                    break;
                case SagaEffect.PublishOrderCancelled publish:
                    await Sidecar.PublishEventAsync(PubSub.Name, Topics.Orders, publish.Event, ContractsJsonContext.Default.OrderCancelled,
                        new PublishOptions { CloudEventType = EventTypes.OrderCancelled }, cancellationToken);
                    break;
                case SagaEffect.ScheduleDeadline schedule:
                    await RegisterReminderAsync(DeadlineReminder, data: null, dueTime: schedule.DueIn, cancellationToken: cancellationToken);
                    break;
                case SagaEffect.CancelDeadline:
                    await TryCancelDeadlineAsync(cancellationToken);
                    break;
                default:
                    throw new InvalidOperationException($"Unknown saga effect {effect.GetType().Name}.");
            }
        }

        // Saved by the actor host when the turn succeeds; a failed turn saves nothing and the event is redelivered.
        await StateManager.SetStateAsync(StateName, step.State, cancellationToken);
    }

    private async Task TryCancelDeadlineAsync(CancellationToken cancellationToken)
    {
        try
        {
            await UnregisterReminderAsync(DeadlineReminder, cancellationToken);
        }
        catch (Exception ex) when (ex is DaprApiException or DaprSidecarUnavailableException)
        {
            // Harmless if it stays: a deadline firing on a terminal order is ignored.
            LogReminderNotCancelled(logger, Id, ex);
        }
    }

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "OrderProcess {ActorId} ignored {Input} for order {OrderId}")]
    private static partial void LogWrongOrder(ILogger logger, string actorId, string orderId, string input);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "OrderProcess {OrderId} ignored {Input}: no such order")]
    private static partial void LogUnknownOrder(ILogger logger, string orderId, string input);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "OrderProcess {OrderId} adopted stored status {Stored} instead of {Intended}")]
    private static partial void LogAdopted(ILogger logger, string orderId, OrderStatus stored, OrderStatus intended);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "OrderProcess {OrderId} could not unregister its deadline reminder")]
    private static partial void LogReminderNotCancelled(ILogger logger, string orderId, Exception exception);
}
