namespace DaprOrders.Bench.Load;

/// <summary>What one load run measured: successful requests with their latencies, and failures by kind.</summary>
internal sealed record LoadResult(long Succeeded, long Failed, TimeSpan Elapsed, LatencyHistogram Latency, IReadOnlyDictionary<string, long> Failures)
{
    /// <summary>Every request sent, warm-up included (for CPU cost per request over the whole run).</summary>
    public long Sent { get; init; }

    public double RequestsPerSecond => Elapsed <= TimeSpan.Zero ? 0 : Succeeded / Elapsed.TotalSeconds;

    public string FailureSummary => Failures.Count == 0 ? "none" : string.Join(", ", Failures.Select(f => $"{f.Key}×{f.Value}"));
}
