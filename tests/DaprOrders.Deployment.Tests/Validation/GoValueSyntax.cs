using System.Globalization;
using System.Text.RegularExpressions;

namespace DaprOrders.Deployment.Validation;

/// <summary>
/// How daprd parses metadata strings (dapr/kit <c>metadata.DecodeMetadata</c>, weak typing): Go
/// <c>strconv.ParseBool</c>, Go numbers, Go <c>time.ParseDuration</c> (or a bare integer), Kubernetes quantities.
/// </summary>
public static partial class GoValueSyntax
{
    private static readonly HashSet<string> s_boolValues = ["1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"];

    public static bool IsBool(string value) => s_boolValues.Contains(value);

    public static bool? ParseBool(string value) =>
        !IsBool(value) ? null : value is "1" or "t" or "T" or "TRUE" or "true" or "True";

    public static bool IsNumber(string value) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
        || (FloatPattern().IsMatch(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _));

    /// <summary>Go duration ("1h2m3.5s", "300ms", "-1s") or a bare integer, as kit's duration hook accepts.</summary>
    public static bool IsDuration(string value) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) || TryParseDuration(value, out _);

    /// <summary>Parses a Go <c>time.ParseDuration</c> string.</summary>
    public static bool TryParseDuration(string value, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        if (value is "0" or "+0" or "-0")
        {
            return true;
        }

        var match = DurationPattern().Match(value);
        if (!match.Success)
        {
            return false;
        }

        double ticks = 0;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var unitMatch = PartPattern().Match(part.Value);
            var number = double.Parse(unitMatch.Groups["n"].Value, CultureInfo.InvariantCulture);
            ticks += number * unitMatch.Groups["u"].Value switch
            {
                "ns" => TimeSpan.TicksPerMillisecond / 1_000_000.0,
                "us" or "µs" or "μs" => TimeSpan.TicksPerMillisecond / 1_000.0,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => throw new InvalidOperationException("unreachable"),
            };
        }

        duration = TimeSpan.FromTicks((long)(match.Groups["sign"].Value == "-" ? -ticks : ticks));
        return true;
    }

    /// <summary>Kubernetes resource quantity ("100Mi", "4Ki", "1G", "1024") as used for byte sizes.</summary>
    public static bool IsQuantity(string value) => QuantityPattern().IsMatch(value);

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^(?<sign>[-+]?)(?<part>([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^(?<n>[0-9]+(\.[0-9]*)?|\.[0-9]+)(?<u>ns|us|µs|μs|ms|s|m|h)$")]
    private static partial Regex PartPattern();

    [GeneratedRegex(@"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$")]
    private static partial Regex QuantityPattern();
}
