using System.Text;

namespace DaprOrders.Chaos.Run;

/// <summary>One checked property of a run: what it should be, what was seen, and a few examples when it failed.</summary>
public sealed record Invariant(string Name, string Expected, string Observed, bool Holds, IReadOnlyList<string> Examples)
{
    public static Invariant Check(string name, string expected, string observed, bool holds, IEnumerable<string>? examples = null) =>
        new(name, expected, observed, holds, [.. (examples ?? []).Take(5)]);

    public static Invariant Equal<T>(string name, T expected, T observed, IEnumerable<string>? examples = null) =>
        Check(name, $"{expected}", $"{observed}", EqualityComparer<T>.Default.Equals(expected, observed), examples);
}

/// <summary>The outcome of a chaos run: counters for the record, and the invariants.</summary>
public sealed record ChaosReport(
    int Orders,
    TimeSpan Duration,
    TimeSpan VirtualTime,
    IReadOnlyDictionary<string, long> Counters,
    IReadOnlyList<Invariant> Invariants,
    IReadOnlyList<string> LogSample)
{
    public bool AllHold => Invariants.All(i => i.Holds);

    /// <summary>The invariant table as fixed-width text (also a Markdown table: the columns are pipe-separated).</summary>
    public string FormatTable()
    {
        var rows = Invariants.Select(i => (i.Name, i.Expected, i.Observed, Mark: i.Holds ? "✓" : "✗")).ToList();
        var w1 = Math.Max("invariant".Length, rows.Max(r => r.Name.Length));
        var w2 = Math.Max("expected".Length, rows.Max(r => r.Expected.Length));
        var w3 = Math.Max("observed".Length, rows.Max(r => r.Observed.Length));
        var text = new StringBuilder();
        text.AppendLine($"| {"invariant".PadRight(w1)} | {"expected".PadRight(w2)} | {"observed".PadRight(w3)} | ok |");
        text.AppendLine($"|{new string('-', w1 + 2)}|{new string('-', w2 + 2)}|{new string('-', w3 + 2)}|----|");
        foreach (var row in rows)
        {
            text.AppendLine($"| {row.Name.PadRight(w1)} | {row.Expected.PadRight(w2)} | {row.Observed.PadRight(w3)} | {row.Mark}  |");
        }

        foreach (var failed in Invariants.Where(i => !i.Holds && i.Examples.Count > 0))
        {
            text.AppendLine($"✗ {failed.Name}: {string.Join("; ", failed.Examples)}");
        }

        return text.ToString();
    }

    public string FormatCounters() =>
        string.Join(Environment.NewLine, Counters.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"  {c.Key}: {c.Value}"));
}
