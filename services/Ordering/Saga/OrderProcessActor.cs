using Dapr.Actors.Runtime;
using DaprOrders.BuildingBlocks.Messaging;
using DaprOrders.BuildingBlocks.State;
using DaprOrders.Contracts;
using DaprOrders.Ordering.Index;
using DaprOrders.Ordering.Orders;
using DaprOrders.Ordering.Telemetry;
using Microsoft.Extensions.Options;

namespace DaprOrders.Ordering.Saga;

/// <summary>
/// Drives the saga of one order (actor id = order id). Decisions come from <see cref="OrderSaga"/>; this class only
/// loads state, carries out the effects and remembers the outcome. daprd runs one turn at a time per order, so the
/// saga never races with itself; every method is safe to call again with the same event. The order document holds the
/// status (written before the turn's other effects); the actor state holds what the saga announced, saved by the actor
/// runtime in one actor state transaction when a turn that published succeeds. A failed turn saves nothing and the
/// event is redelivered; the start publishes nothing and saves no actor state (see <see cref="OrderSaga.Start"/>).
/// </summary>
[Actor(TypeName = TypeName)]
public sealed partial class OrderProcessActor(
    ActorHost host,
    EventPublisher events,
    OrderStore orders,
    OrderIndexWriter index,
    IOptions<SagaOptions> options,
    TimeProvider timeProvider,
    OrderingMetrics metrics,
    ILogger<OrderProcessActor> logger) : Actor(host), IOrderProcessActor, IRemindable
{
    public const string TypeName = "OrderProcess";
    public const string DeadlineReminder = "deadline";
    public const string StateName = "saga";

    // The saga as this activation's last successful turn left it, saved or not: later turns need no sidecar read.
    private OrderSagaState? _saga;

    private string OrderId => Id.GetId();

    public async Task StartAsync(OrderCreated created, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(created);
        if (created.OrderId != OrderId)
        {
            LogWrongOrder(logger, OrderId, created.OrderId, nameof(StartAsync));
            return;
        }

        if (_saga is not null)
        {
            return;
        }

        // The order read here (with its ETag) is the one the start writes over. Past Submitted, the saga was started.
        var order = await orders.ReadAsync(OrderId, cancellationToken);
        if (order.Value is { Status: not OrderStatus.Submitted })
        {
            return;
        }

        await ExecuteAsync(previous: null, OrderSaga.Start(created, timeProvider.GetUtcNow(), options.Value.Deadline), cancellationToken, order);
    }

    public Task OnStockReservedAsync(StockReserved reserved, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reserved);
        return HandleAsync(reserved.OrderId, new SagaInput.StockWasReserved(reserved), cancellationToken);
    }

    public Task OnStockRejectedAsync(StockRejected rejected, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        return HandleAsync(rejected.OrderId, new SagaInput.StockWasRejected(rejected), cancellationToken);
    }

    public Task OnPaymentSucceededAsync(PaymentSucceeded succeeded, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(succeeded);
        return HandleAsync(succeeded.OrderId, new SagaInput.PaymentWasTaken(succeeded), cancellationToken);
    }

    public Task OnPaymentFailedAsync(PaymentFailed failed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(failed);
        return HandleAsync(failed.OrderId, new SagaInput.PaymentWasDeclined(failed), cancellationToken);
    }

    public Task ReceiveReminderAsync(string reminderName, byte[] state, TimeSpan dueTime, TimeSpan period) =>
        reminderName == DeadlineReminder
            ? HandleAsync(OrderId, new SagaInput.DeadlinePassed(), CancellationToken.None)
            : Task.CompletedTask;

    private async Task HandleAsync(string orderId, SagaInput input, CancellationToken cancellationToken)
    {
        if (orderId != OrderId)
        {
            LogWrongOrder(logger, OrderId, orderId, input.Marker);
            return;
        }

        var state = _saga ?? await LoadOrStartAsync(cancellationToken);
        if (state is null)
        {
            LogUnknownOrder(logger, OrderId, input.Marker);
            return;
        }

        await ExecuteAsync(state, OrderSaga.Apply(state, input, timeProvider.GetUtcNow()), cancellationToken);
    }

    /// <summary>
    /// The saved saga state; without one, the saga resumed from the stored order or — when an inventory or payment event
    /// overtook <c>order.created</c> — started from it. Null when no such order exists.
    /// </summary>
    private async Task<OrderSagaState?> LoadOrStartAsync(CancellationToken cancellationToken)
    {
        var saved = await StateManager.TryGetStateAsync<OrderSagaState>(StateName, cancellationToken);
        if (saved.HasValue)
        {
            return _saga = saved.Value;
        }

        var order = await orders.ReadAsync(OrderId, cancellationToken);
        if (order.Value is not { } stored)
        {
            return null;
        }

        if (stored.Status == OrderStatus.Submitted)
        {
            var start = OrderSaga.Start(stored.ToCreatedEvent(), timeProvider.GetUtcNow(), options.Value.Deadline);
            await ExecuteAsync(previous: null, start, cancellationToken, order);
            return start.State;
        }

        var resumed = OrderSaga.Resume(stored);
        if (stored.Status.IsTerminal())
        {
            // The turn that ended the order failed before saving what it announced: announce the stored outcome.
            LogAdopted(logger, OrderId, stored.Status, resumed.Status);
            await ExecuteAsync(resumed, OrderSaga.Adopt(resumed, stored, timeProvider.GetUtcNow()), cancellationToken);
            return _saga;
        }

        return resumed;
    }

    /// <param name="known">The order as the caller just read it, for the first status change to write over.</param>
    private async Task ExecuteAsync(OrderSagaState? previous, SagaStep step, CancellationToken cancellationToken,
        StateVersion<OrderDocument>? known = null)
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
                    var stored = await orders.ChangeStatusAsync(OrderId, record.Status, record.At, record.Reason, record.Detail, cancellationToken, known)
                        ?? throw new InvalidOperationException($"Order {OrderId} has no order document in {OrderStore.StoreName}.");
                    if (stored.Status != record.Status && stored.Status.IsTerminal() && previous is not null)
                    {
                        // An earlier, failed turn ended the order differently; the document is the truth.
                        LogAdopted(logger, OrderId, stored.Status, record.Status);
                        index.Enqueue(stored, status);
                        await ExecuteAsync(previous: null, OrderSaga.Adopt(previous, stored, timeProvider.GetUtcNow()), cancellationToken);
                        return;
                    }

                    index.Enqueue(stored, status);
                    metrics.StatusRecorded(status, stored);
                    status = stored.Status;
                    known = null;
                    break;
                case SagaEffect.PublishPaymentRequested publish:
                    await PublishAsync(publish.Event, EventTypes.PaymentRequested, cancellationToken);
                    break;
                case SagaEffect.PublishOrderCompleted publish:
                    await PublishAsync(publish.Event, EventTypes.OrderCompleted, cancellationToken);
                    break;
                case SagaEffect.PublishOrderCancelled publish:
                    await PublishAsync(publish.Event, EventTypes.OrderCancelled, cancellationToken);
                    break;
                case SagaEffect.ScheduleDeadline schedule:
                    // One-shot: an infinite period registers no period at all.
                    await RegisterReminderAsync(DeadlineReminder, state: [], dueTime: schedule.DueIn, period: Timeout.InfiniteTimeSpan);
                    break;
                case SagaEffect.CancelDeadline:
                    await TryCancelDeadlineAsync();
                    break;
                default:
                    throw new InvalidOperationException($"Unknown saga effect {effect.GetType().Name}.");
            }
        }

        if (step.Announces)
        {
            await StateManager.SetStateAsync(StateName, step.State, cancellationToken);
        }

        _saga = step.State;
    }

    /// <summary>
    /// Publishes a saga event on its type's topic with a fresh CloudEvent id, as daprd gives one when the publisher sets
    /// none: a turn that failed after publishing announces again, and subscribers' own idempotency absorbs the repeat.
    /// </summary>
    private Task PublishAsync<T>(T data, string eventType, CancellationToken cancellationToken) =>
        events.PublishAsync(PubSub.Name, Topics.Of(eventType), data, eventType, Guid.NewGuid().ToString(), cancellationToken);

    private async Task TryCancelDeadlineAsync()
    {
        try
        {
            await UnregisterReminderAsync(DeadlineReminder);
        }
        catch (Exception ex) when (ex is Dapr.DaprApiException or HttpRequestException)
        {
            // Harmless if it stays: a deadline firing on a terminal order is ignored.
            LogReminderNotCancelled(logger, OrderId, ex);
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
