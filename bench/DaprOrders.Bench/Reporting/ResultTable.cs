using System.Globalization;
using System.Text;

namespace DaprOrders.Bench.Reporting;

/// <summary>One printed table of a benchmark: a title, column headers and rows of formatted cells.</summary>
internal sealed class ResultTable(string title, params string[] columns)
{
    private readonly List<string[]> _rows = [];

    public string Title { get; } = title;

    public IReadOnlyList<string> Columns { get; } = columns;

    public IReadOnlyList<IReadOnlyList<string>> Rows => _rows;

    public ResultTable Add(params string[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length != Columns.Count)
        {
            throw new ArgumentException($"{cells.Length} cells for {Columns.Count} columns in '{Title}'", nameof(cells));
        }

        _rows.Add(cells);
        return this;
    }

    /// <summary>A GitHub-flavoured Markdown table, columns padded so it also reads well in a terminal.</summary>
    public string ToMarkdown()
    {
        var widths = Columns.Select((c, i) => Math.Max(c.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### {Title}");
        text.AppendLine();
        text.AppendLine("| " + string.Join(" | ", Columns.Select((c, i) => c.PadRight(widths[i]))) + " |");
        text.AppendLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var row in _rows)
        {
            text.AppendLine("| " + string.Join(" | ", row.Select((c, i) => c.PadRight(widths[i]))) + " |");
        }

        return text.ToString();
    }
}

/// <summary>What one benchmark command produced: its tables and the notes that qualify them.</summary>
internal sealed class BenchmarkReport(string name)
{
    public string Name { get; } = name;

    public List<ResultTable> Tables { get; } = [];

    public List<string> Notes { get; } = [];

    public ResultTable Table(string title) => Tables.First(t => t.Title == title);

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"## {Name}");
        text.AppendLine();
        text.AppendLine("Measured on the DaprOrders emulator, not real Dapr.");
        text.AppendLine();
        foreach (var table in Tables)
        {
            text.AppendLine(table.ToMarkdown());
        }

        foreach (var note in Notes)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
        }

        return text.ToString();
    }
}

/// <summary>Number formats shared by every table (invariant culture: tables are compared across machines).</summary>
internal static class Figures
{
    public static string Rate(double perSecond) => perSecond.ToString("N0", CultureInfo.InvariantCulture);

    public static string Ms(double milliseconds) => milliseconds switch
    {
        < 10 => milliseconds.ToString("0.00", CultureInfo.InvariantCulture),
        < 100 => milliseconds.ToString("0.0", CultureInfo.InvariantCulture),
        _ => milliseconds.ToString("N0", CultureInfo.InvariantCulture),
    };

    public static string Ratio(double ratio) => ratio.ToString("0.00", CultureInfo.InvariantCulture) + "×";

    public static string Count(long count) => count.ToString("N0", CultureInfo.InvariantCulture);

    public static string Seconds(double seconds) => seconds.ToString("0.0", CultureInfo.InvariantCulture);

    public static string Megabytes(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture);

    public static string Verdict(bool met) => met ? "met" : "MISSED";
}
