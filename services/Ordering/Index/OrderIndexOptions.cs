using System.ComponentModel.DataAnnotations;
using DaprOrders.BuildingBlocks.State;
using Microsoft.Extensions.Options;

namespace DaprOrders.Ordering.Index;

/// <summary>Settings of the operations index (section <c>Ordering:Index</c>).</summary>
public sealed class OrderIndexOptions
{
    public const string SectionName = "Ordering:Index";

    /// <summary>How many recent orders the index keeps (and <c>GET /orders</c> can list).</summary>
    [Range(1, int.MaxValue)]
    public int Capacity { get; set; } = 1000;

    /// <summary>Updates waiting to be written; beyond this they are dropped (the index is an overview, not a record).</summary>
    [Range(1, int.MaxValue)]
    public int QueueLimit { get; set; } = SharedStateDocumentSettings.Default.QueueLimit;

    /// <summary>Pause after each write so that updates gather into batches; zero writes as soon as updates arrive.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan FlushInterval { get; set; } = SharedStateDocumentSettings.Default.FlushInterval;
}

/// <summary>Checks the data annotations of <see cref="OrderIndexOptions"/> with generated code (no reflection at start-up).</summary>
[OptionsValidator]
public sealed partial class OrderIndexOptionsValidator : IValidateOptions<OrderIndexOptions>;
