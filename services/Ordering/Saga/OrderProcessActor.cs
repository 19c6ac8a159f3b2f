using Dapr.Actors.Runtime;

namespace DaprOrders.Ordering.Saga;

/// <summary>
/// The target of an order's deadline (actor type <c>OrderProcess</c>, actor id = order id): a reminder is the one
/// durable timer daprd offers, and it fires into an actor. The intake arms it (<see cref="OrderDeadline"/>); when it
/// fires, the actor runs the deadline turn (<see cref="OrderSagaTurns"/>) and keeps no state of its own. A failed turn
/// fails the fire, which the Scheduler retries.
/// </summary>
[Actor(TypeName = TypeName)]
public sealed class OrderProcessActor(ActorHost host, OrderSagaTurns turns) : Actor(host), IOrderProcessActor, IRemindable
{
    public const string TypeName = "OrderProcess";

    public Task ReceiveReminderAsync(string reminderName, byte[] state, TimeSpan dueTime, TimeSpan period) =>
        reminderName == OrderDeadline.ReminderName
            ? turns.RunAsync(Id.GetId(), new SagaInput.DeadlinePassed(), CancellationToken.None)
            : Task.CompletedTask;
}
