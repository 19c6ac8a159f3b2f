using System.Globalization;

namespace DaprOrders.OrderCli;

/// <summary>One row of the outcome summary, e.g. "Cancelled (out-of-stock)" × 12.</summary>
public sealed record OutcomeCount(string Outcome, int Count);

/// <summary>The results of an <see cref="OrderRun"/> and the numbers the CLI prints.</summary>
public sealed record OrderRunReport(IReadOnlyList<OrderResult> Results, TimeSpan Elapsed)
{
    public int Count(OrderOutcome outcome) => Results.Count(r => r.Outcome == outcome);

    public int CountCancelled(string reason) =>
        Results.Count(r => r.Outcome == OrderOutcome.Cancelled && r.Reason == reason);

    /// <summary>Every order reached Completed or Cancelled.</summary>
    public bool AllTerminal => Results.All(r => r.Outcome is OrderOutcome.Completed or OrderOutcome.Cancelled);

    public IReadOnlyList<OutcomeCount> Outcomes =>
    [
        .. Results
            .GroupBy(Label)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new OutcomeCount(g.Key, g.Count())),
    ];

    public TimeSpan SubmitLatencyP50 => Percentile(Results.Select(r => r.SubmitLatency), 50);

    public TimeSpan SubmitLatencyP99 => Percentile(Results.Select(r => r.SubmitLatency), 99);

    public TimeSpan TimeToTerminalP50 => Percentile(Results.Select(r => r.TimeToTerminal).OfType<TimeSpan>(), 50);

    public TimeSpan TimeToTerminalP99 => Percentile(Results.Select(r => r.TimeToTerminal).OfType<TimeSpan>(), 99);

    public static string Label(OrderResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Outcome switch
        {
            OrderOutcome.Completed => "Completed",
            OrderOutcome.Cancelled => $"Cancelled ({result.Reason ?? "no reason"})",
            OrderOutcome.TimedOut => "Timed out",
            _ => string.Create(CultureInfo.InvariantCulture, $"Rejected ({(int)result.SubmitStatus})"),
        };
    }

    /// <summary>Nearest-rank percentile; zero for an empty set.</summary>
    public static TimeSpan Percentile(IEnumerable<TimeSpan> values, int percentile)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return TimeSpan.Zero;
        }

        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
