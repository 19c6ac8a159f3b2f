using Dapr.Actors.Runtime;

namespace DaprOrders.Ordering.Saga;

/// <summary>
/// The target of an order's deadline (actor type <c>OrderProcess</c>, actor id = order id): a reminder is the one
/// durable timer daprd offers, and it fires into an actor. The intake arms it (<see cref="OrderDeadline"/>); when it
/// fires, the actor runs the deadline turn (<see cref="OrderSagaTurns"/>), keeping no state of its own, and then
/// deletes the reminder: the order is ended, or was never stored (an orphan of a failed or repeated submission). A
/// failed turn keeps it, so it fires again and the turn announces what it stored.
/// </summary>
[Actor(TypeName = TypeName)]
public sealed class OrderProcessActor(ActorHost host, OrderSagaTurns turns, OrderDeadline deadline) : Actor(host), IOrderProcessActor, IRemindable
{
    public const string TypeName = "OrderProcess";

    public async Task ReceiveReminderAsync(string reminderName, byte[] state, TimeSpan dueTime, TimeSpan period)
    {
        if (reminderName != OrderDeadline.ReminderName)
        {
            return;
        }

        await turns.RunAsync(Id.GetId(), new SagaInput.DeadlinePassed(), CancellationToken.None);
        await deadline.DisarmAsync(Id.GetId(), CancellationToken.None);
    }
}
