using System.Globalization;

namespace DaprOrders.Emulator.Resources;

/// <summary>Go's time.ParseDuration format ("5s", "1m30s", "500ms", "1.5h"), as Dapr resources use it.</summary>
public static class GoDuration
{
    private static readonly (string Unit, double Ticks)[] Units =
    [
        ("ns", 0.01), ("us", 10), ("µs", 10), ("μs", 10), ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        var negative = s[0] == '-';
        if (s[0] is '-' or '+')
        {
            s = s[1..];
        }

        if (s == "0")
        {
            return true;
        }

        double ticks = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (start == i || !double.TryParse(s[start..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            var unit = Units.Where(u => s.AsSpan(i).StartsWith(u.Unit, StringComparison.Ordinal))
                .OrderByDescending(u => u.Unit.Length)
                .FirstOrDefault();
            if (unit.Unit is null)
            {
                return false;
            }

            ticks += value * unit.Ticks;
            i += unit.Unit.Length;
        }

        duration = TimeSpan.FromTicks((long)Math.Round(negative ? -ticks : ticks));
        return true;
    }

    /// <summary>Resiliency durations: a Go duration, or a bare integer meaning milliseconds.</summary>
    public static bool TryParseResiliency(string? text, out TimeSpan duration)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
        {
            duration = TimeSpan.FromMilliseconds(milliseconds);
            return true;
        }

        return TryParse(text, out duration);
    }

    /// <summary>Formats like Go's Duration.String for whole milliseconds ("1m30s", "500ms", "0s").</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        if (duration < TimeSpan.FromSeconds(1))
        {
            return $"{duration.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms";
        }

        var text = string.Empty;
        if (duration.TotalHours >= 1)
        {
            text += $"{(int)duration.TotalHours}h";
        }

        if (duration.TotalMinutes >= 1)
        {
            text += $"{duration.Minutes}m";
        }

        var seconds = duration.Seconds + (duration.Milliseconds / 1000.0);
        return text + $"{seconds.ToString(CultureInfo.InvariantCulture)}s";
    }
}
