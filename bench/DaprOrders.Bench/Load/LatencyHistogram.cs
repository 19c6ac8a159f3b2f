using System.Diagnostics;

namespace DaprOrders.Bench.Load;

/// <summary>
/// HDR-style latency histogram: exact microseconds below 1,024 µs, then 64 sub-buckets per power of two (≤ 1.6 %
/// relative error) up to about 70 minutes. Recording is lock-free; one histogram per worker, merged at the end.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBuckets = 64;
    private const int LinearLimit = 1024;
    private const int Octaves = 32;
    private readonly long[] _counts = new long[LinearLimit + (Octaves * SubBuckets)];

    public long Count { get; private set; }

    public double SumMicroseconds { get; private set; }

    public double MaxMicroseconds { get; private set; }

    public void RecordTicks(long stopwatchTicks) => RecordMicroseconds(stopwatchTicks * 1_000_000.0 / Stopwatch.Frequency);

    public void RecordMicroseconds(double microseconds)
    {
        var us = (long)Math.Max(0, microseconds);
        _counts[IndexOf(us)]++;
        Count++;
        SumMicroseconds += microseconds;
        MaxMicroseconds = Math.Max(MaxMicroseconds, microseconds);
    }

    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        SumMicroseconds += other.SumMicroseconds;
        MaxMicroseconds = Math.Max(MaxMicroseconds, other.MaxMicroseconds);
    }

    public double MeanMilliseconds => Count == 0 ? 0 : SumMicroseconds / Count / 1000.0;

    /// <summary>The value at <paramref name="percentile"/> (0-100) in milliseconds, as the bucket's upper edge.</summary>
    public double PercentileMilliseconds(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(percentile / 100.0 * Count);
        rank = Math.Clamp(rank, 1, Count);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(UpperEdge(i), MaxMicroseconds) / 1000.0;
            }
        }

        return MaxMicroseconds / 1000.0;
    }

    private static int IndexOf(long us)
    {
        if (us < LinearLimit)
        {
            return (int)us;
        }

        var octave = 63 - (int)long.LeadingZeroCount(us) - 10; // 0 for 1024..2047
        octave = Math.Min(octave, Octaves - 1);
        var sub = (int)((us >> octave) - LinearLimit) * SubBuckets / LinearLimit;
        return LinearLimit + (octave * SubBuckets) + Math.Clamp(sub, 0, SubBuckets - 1);
    }

    private static double UpperEdge(int index)
    {
        if (index < LinearLimit)
        {
            return index + 1;
        }

        var octave = (index - LinearLimit) / SubBuckets;
        var sub = (index - LinearLimit) % SubBuckets;
        var width = (double)(LinearLimit << octave) / SubBuckets;
        return (LinearLimit << octave) + ((sub + 1) * width);
    }
}
