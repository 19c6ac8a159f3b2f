using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace DaprOrders.Ordering.Saga;

/// <summary>Saga settings (section <c>Saga</c>).</summary>
public sealed class SagaOptions
{
    public const string SectionName = "Saga";

    /// <summary>How long an order may take from its submission (the intake arms the deadline) to Completed before it is cancelled.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Deadline { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// daprd deactivates an idle <c>OrderProcess</c> actor after this long (reported in <c>GET /dapr/config</c>). The actor
    /// is activated only when an order's deadline fires and keeps no state, so it has nothing to do after that turn;
    /// each activated one costs this app about 2 KB (its DI scope; measured in docs/benchmarks.md), and daprd's default
    /// of 60 minutes would hold every deadline of the last hour.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ActorIdleTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Checks the data annotations of <see cref="SagaOptions"/> with generated code (no reflection at start-up).</summary>
[OptionsValidator]
public sealed partial class SagaOptionsValidator : IValidateOptions<SagaOptions>;
