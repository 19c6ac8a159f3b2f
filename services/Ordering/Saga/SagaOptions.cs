namespace DaprOrders.Ordering.Saga;

/// <summary>Saga settings (section <c>Saga</c>).</summary>
public sealed class SagaOptions
{
    public const string Section = "Saga";

    /// <summary>How long an order may take from the start of its saga to Completed before it is cancelled.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromMinutes(2);
}
