using Dapr;
using DaprOrders.BuildingBlocks;
using Microsoft.Extensions.Options;

namespace DaprOrders.Ordering.Saga;

/// <summary>
/// An order's deadline: the reminder <c>deadline</c> of its <c>OrderProcess</c> actor, armed by the intake before the
/// order is stored and deleted when the order ends (by a saga turn, or by the deadline turn itself once it is done).
/// Both are single calls to the sidecar's reminders API, with no actor turn; the reminder itself fires into the actor
/// (<see cref="OrderProcessActor"/>). It repeats every <see cref="RepeatEvery"/> until deleted: a deadline turn that
/// failed to announce runs again, for as long as it takes, where the Scheduler retries a failed fire only 3 times, 1 s
/// apart (go-etcd-cron's default failure policy, which dapr v1.17.13 leaves to actor reminders).
/// </summary>
public sealed partial class OrderDeadline(ActorReminderClient reminders, IOptions<SagaOptions> options, ILogger<OrderDeadline> logger)
{
    public const string ReminderName = "deadline";

    /// <summary>How often a deadline fires again until its turn is done.</summary>
    public static readonly TimeSpan RepeatEvery = TimeSpan.FromMinutes(1);

    /// <summary>Arms (or re-arms) the deadline <see cref="SagaOptions.Deadline"/> from now.</summary>
    /// <exception cref="DaprException">The sidecar did not take it; the order must not be stored.</exception>
    public Task ArmAsync(string orderId, CancellationToken cancellationToken) =>
        reminders.CreateAsync(OrderProcessActor.TypeName, orderId, ReminderName, options.Value.Deadline, RepeatEvery, cancellationToken);

    /// <summary>
    /// Deletes the deadline of an order that ended. A failure is only logged: a deadline that fires on an ended order
    /// changes nothing, and its turn deletes it again.
    /// </summary>
    public async Task DisarmAsync(string orderId, CancellationToken cancellationToken)
    {
        try
        {
            await reminders.DeleteAsync(OrderProcessActor.TypeName, orderId, ReminderName, cancellationToken);
        }
        catch (DaprException ex)
        {
            LogNotDisarmed(logger, orderId, ex);
        }
    }

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "The deadline reminder of order {OrderId} could not be deleted")]
    private static partial void LogNotDisarmed(ILogger logger, string orderId, Exception exception);
}
