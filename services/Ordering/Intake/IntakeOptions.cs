using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace DaprOrders.Ordering.Intake;

/// <summary>Limits of <c>POST /orders</c> (section <c>Ordering:Intake</c>).</summary>
public sealed class IntakeOptions
{
    public const string SectionName = "Ordering:Intake";

    /// <summary>Largest accepted body for one event (structured or binary mode). Default 256 KiB.</summary>
    [Range(1, int.MaxValue)]
    public int MaxEventBytes { get; set; } = 256 * 1024;

    /// <summary>Largest accepted body for a batch (<c>application/cloudevents-batch+json</c>). Default 1 MiB.</summary>
    [Range(1, int.MaxValue)]
    public int MaxBatchBytes { get; set; } = 1024 * 1024;
}

/// <summary>Checks the data annotations of <see cref="IntakeOptions"/> with generated code (no reflection at start-up).</summary>
[OptionsValidator]
public sealed partial class IntakeOptionsValidator : IValidateOptions<IntakeOptions>;
