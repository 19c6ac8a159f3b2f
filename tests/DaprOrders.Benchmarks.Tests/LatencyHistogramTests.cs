using DaprOrders.Bench.Load;

namespace DaprOrders.Benchmarks.Tests;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Percentiles_below_a_millisecond_are_exact_to_the_microsecond()
    {
        var histogram = new LatencyHistogram();
        for (var us = 1; us <= 1000; us++)
        {
            histogram.RecordMicroseconds(us);
        }

        Assert.Equal(1000, histogram.Count);
        Assert.Equal(0.501, histogram.PercentileMilliseconds(50), 3);
        Assert.Equal(0.991, histogram.PercentileMilliseconds(99), 3);
        Assert.Equal(1.0, histogram.PercentileMilliseconds(100), 3);
        Assert.Equal(0.5005, histogram.MeanMilliseconds, 4);
    }

    [Theory]
    [InlineData(1_500)]
    [InlineData(12_345)]
    [InlineData(650_000)]
    [InlineData(30_000_000)]
    public void Larger_values_keep_within_two_percent(double microseconds)
    {
        var histogram = new LatencyHistogram();
        for (var i = 0; i < 10; i++)
        {
            histogram.RecordMicroseconds(microseconds * 0.5);
        }

        histogram.RecordMicroseconds(microseconds);
        for (var i = 0; i < 89; i++)
        {
            histogram.RecordMicroseconds(microseconds * 2);
        }

        var p10 = histogram.PercentileMilliseconds(10) * 1000;
        Assert.InRange(p10, microseconds * 0.5, microseconds * 0.5 * 1.02);
        var p11 = histogram.PercentileMilliseconds(11) * 1000;
        Assert.InRange(p11, microseconds, microseconds * 1.02);
    }

    [Fact]
    public void Merged_histograms_count_everything_once()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        a.RecordMicroseconds(100);
        b.RecordMicroseconds(300);
        b.RecordMicroseconds(200_000);
        a.Add(b);
        Assert.Equal(3, a.Count);
        Assert.Equal(200.0, a.MaxMicroseconds / 1000, 3);
        Assert.Equal(0.301, a.PercentileMilliseconds(50), 3);
    }
}
