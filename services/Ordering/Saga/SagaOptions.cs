namespace DaprOrders.Ordering.Saga;

/// <summary>Saga settings (section <c>Saga</c>).</summary>
public sealed class SagaOptions
{
    public const string Section = "Saga";

    /// <summary>How long an order may take from the start of its saga to Completed before it is cancelled.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// daprd deactivates an idle <c>OrderProcess</c> actor after this long (reported in <c>GET /dapr/config</c>). An order's
    /// actor is idle once the order is terminal, so daprd's default of 60 minutes would keep every order of the last hour
    /// in this app's memory (about 0.5 KB each, measured in docs/benchmarks.md: ~180 MB an hour at 100 orders/s). A later
    /// event or the deadline reminder activates it again from its saved state.
    /// </summary>
    public TimeSpan ActorIdleTimeout { get; set; } = TimeSpan.FromMinutes(1);
}
