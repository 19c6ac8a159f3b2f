namespace DaprOrders.Ordering.Intake;

/// <summary>Limits of <c>POST /orders</c> (section <c>Ordering:Intake</c>).</summary>
public sealed class IntakeOptions
{
    public const string Section = "Ordering:Intake";

    /// <summary>Largest accepted body for one event (structured or binary mode). Default 256 KiB.</summary>
    public int MaxEventBytes { get; set; } = 256 * 1024;

    /// <summary>Largest accepted body for a batch (<c>application/cloudevents-batch+json</c>). Default 1 MiB.</summary>
    public int MaxBatchBytes { get; set; } = 1024 * 1024;
}
