using System.Globalization;

namespace DaprOrders.Emulator.Resources;

/// <summary>A retry policy's matching.httpStatusCodes: "429,500-599" (codes 100-599, ranges inclusive).</summary>
public sealed class HttpStatusCodeSet
{
    private readonly List<(int From, int To)> _ranges;

    private HttpStatusCodeSet(List<(int From, int To)> ranges, string text)
    {
        _ranges = ranges;
        Text = text;
    }

    public string Text { get; }

    public bool Contains(int statusCode) => _ranges.Any(r => statusCode >= r.From && statusCode <= r.To);

    public static HttpStatusCodeSet Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ranges = new List<(int, int)>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var bounds = part.Split('-', StringSplitOptions.TrimEntries);
            if (bounds.Length is < 1 or > 2
                || !int.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                || !int.TryParse(bounds[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var to)
                || from < 100 || to > 599 || from > to)
            {
                throw new FormatException($"invalid HTTP status code range '{part}' (expected codes 100-599, e.g. \"429,500-599\")");
            }

            ranges.Add((from, to));
        }

        return new HttpStatusCodeSet(ranges, text);
    }

    public override string ToString() => Text;
}
