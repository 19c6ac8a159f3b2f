using System.Globalization;
using System.Text.RegularExpressions;
using DaprOrders.Emulator.Resources;

namespace DaprOrders.Emulator.Actors;

/// <summary>
/// A period that may hold calendar parts: ISO 8601 "P1M" is a month, not 30 days, so years, months and days are kept
/// apart from the clock time and added to a date the way dapr/kit does.
/// </summary>
public sealed record SchedulePeriod(int Years, int Months, int Days, TimeSpan Time)
{
    public static SchedulePeriod FromTimeSpan(TimeSpan time) => new(0, 0, 0, time);

    public bool HasCalendarParts => Years != 0 || Months != 0 || Days != 0;

    public DateTimeOffset AddTo(DateTimeOffset instant) => instant.AddYears(Years).AddMonths(Months).AddDays(Days).Add(Time);

    public bool IsZero => !HasCalendarParts && Time == TimeSpan.Zero;
}

/// <summary>
/// The duration and time formats daprd accepts for actor settings, reminders and timers (https://docs.dapr.io/reference/api/actors_api/):
/// Go durations ("1h30m", "0h0m3s0ms", "500ms"), ISO 8601 durations ("PT3S", "P1DT2H") with optional
/// repetitions ("R5/PT10S"), and RFC 3339 instants.
/// </summary>
public static partial class DaprDuration
{
    /// <summary>Go's time.ParseDuration: a signed sequence of decimal numbers with units ns, us, ms, s, m, h. No "d".</summary>
    public static bool TryParseGo(string? text, out TimeSpan duration) => GoDuration.TryParse(text, out duration);

    /// <summary>An ISO 8601 duration "PnYnMnWnDTnHnMnS", optionally with repetitions "Rn/..." (null when absent).</summary>
    public static bool TryParseIso8601(string? text, out SchedulePeriod period, out int? repetitions)
    {
        period = SchedulePeriod.FromTimeSpan(TimeSpan.Zero);
        repetitions = null;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var match = Iso8601Duration().Match(text);
        if (!match.Success || text.EndsWith('T'))
        {
            return false;
        }

        if (match.Groups["r"].Success)
        {
            if (!int.TryParse(match.Groups["r"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                return false;
            }

            repetitions = count;
        }

        static int Whole(Group group) => group.Success ? int.Parse(group.Value, CultureInfo.InvariantCulture) : 0;
        static decimal Fraction(Group group) => group.Success ? decimal.Parse(group.Value, CultureInfo.InvariantCulture) : 0m;

        var hasAnyPart = match.Groups.Cast<Group>().Skip(1).Any(g => g.Success && g.Name != "r");
        if (!hasAnyPart)
        {
            return false;
        }

        var time = TimeSpan.FromHours((double)Fraction(match.Groups["h"]))
                   + TimeSpan.FromMinutes((double)Fraction(match.Groups["min"]))
                   + TimeSpan.FromTicks((long)(Fraction(match.Groups["s"]) * TimeSpan.TicksPerSecond));
        period = new SchedulePeriod(Whole(match.Groups["y"]), Whole(match.Groups["mo"]), (Whole(match.Groups["w"]) * 7) + Whole(match.Groups["d"]), time);
        return true;
    }

    /// <summary>RFC 3339 (with or without fractional seconds), as Go's time.RFC3339Nano.</summary>
    public static bool TryParseRfc3339(string? text, out DateTimeOffset instant)
    {
        instant = default;
        if (string.IsNullOrEmpty(text) || !Rfc3339().IsMatch(text))
        {
            return false;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out instant);
    }

    [GeneratedRegex(@"^(?:R(?<r>\d+)/)?P(?:(?<y>\d+)Y)?(?:(?<mo>\d+)M)?(?:(?<w>\d+)W)?(?:(?<d>\d+)D)?(?:T(?:(?<h>\d+(?:\.\d+)?)H)?(?:(?<min>\d+(?:\.\d+)?)M)?(?:(?<s>\d+(?:\.\d+)?)S)?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Iso8601Duration();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();
}
