using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace DaprOrders.Ordering.Saga;

/// <summary>Saga settings (section <c>Saga</c>).</summary>
public sealed class SagaOptions
{
    public const string SectionName = "Saga";

    /// <summary>How long an order may take from the start of its saga to Completed before it is cancelled.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Deadline { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// daprd deactivates an idle <c>OrderProcess</c> actor after this long (reported in <c>GET /dapr/config</c>). An order's
    /// actor is idle once the order is terminal, and each activated one costs this app about 2 KB (its DI scope, sidecar
    /// client and cached state; measured in docs/benchmarks.md), so daprd's default of 60 minutes would hold every order
    /// of the last hour: ~700 MB at 100 orders/s. Steps of a running saga normally arrive milliseconds apart; a step,
    /// late event or deadline reminder after the timeout reactivates the actor from its saved state (one state read).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ActorIdleTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Checks the data annotations of <see cref="SagaOptions"/> with generated code (no reflection at start-up).</summary>
[OptionsValidator]
public sealed partial class SagaOptionsValidator : IValidateOptions<SagaOptions>;
