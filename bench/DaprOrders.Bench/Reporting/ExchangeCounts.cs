using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace DaprOrders.Bench.Reporting;

/// <summary>One counter of the emulator's GET /emulator/v1.0/exchanges (tools/DaprOrders.Emulator/README.md, "Exchange counts").</summary>
internal sealed record ExchangeRow(string AppId, string Direction, string Api, string Method, string Transport, long Count);

/// <summary>The app↔sidecar exchanges of a phase: read from the emulator before and after, per app and API, per completed order.</summary>
internal static class ExchangeCounts
{
    public const string Title = "B2 app↔sidecar exchanges per completed order (phase 1)";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Every counter of the emulator; any sidecar's HTTP port serves the whole emulator's counts.</summary>
    public static async Task<IReadOnlyList<ExchangeRow>> ReadAsync(HttpClient client, Uri sidecar)
    {
        ArgumentNullException.ThrowIfNull(client);
        var document = await client.GetFromJsonAsync<ExchangesDocument>(new Uri(sidecar, "/emulator/v1.0/exchanges"), Json);
        return document?.Exchanges ?? [];
    }

    public static IReadOnlyList<ExchangeRow> Delta(IReadOnlyList<ExchangeRow> before, IReadOnlyList<ExchangeRow> after)
    {
        var start = before.ToDictionary(Key, r => r.Count);
        return [.. after.Select(r => r with { Count = r.Count - start.GetValueOrDefault(Key(r)) }).Where(r => r.Count > 0)];
    }

    /// <summary>
    /// One row per counter, a subtotal per app, and the total of the system's apps (<paramref name="systemApps"/>; a
    /// benchmark's own observer app is listed but not part of it).
    /// </summary>
    public static ResultTable Table(IReadOnlyList<ExchangeRow> delta, long completed, IReadOnlyCollection<string> systemApps)
    {
        ArgumentNullException.ThrowIfNull(delta);
        ArgumentNullException.ThrowIfNull(systemApps);
        string PerOrder(long count) => completed == 0 ? "n/a" : ((double)count / completed).ToString("0.00", CultureInfo.InvariantCulture);
        var table = new ResultTable(Title, "app", "direction", "api", "method", "transport", "exchanges", "per completed order");
        foreach (var app in delta.GroupBy(r => r.AppId).OrderBy(g => systemApps.Contains(g.Key) ? 0 : 1).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            foreach (var row in app.OrderBy(r => r.Direction, StringComparer.Ordinal).ThenBy(r => r.Api, StringComparer.Ordinal)
                         .ThenBy(r => r.Method, StringComparer.Ordinal).ThenBy(r => r.Transport, StringComparer.Ordinal))
            {
                table.Add(row.AppId, row.Direction, row.Api, row.Method, row.Transport, Figures.Count(row.Count), PerOrder(row.Count));
            }

            var subtotal = app.Sum(r => r.Count);
            table.Add(app.Key, "all", "all", "all", "all", Figures.Count(subtotal), PerOrder(subtotal));
        }

        var calls = delta.Where(r => systemApps.Contains(r.AppId) && r.Direction == "call").Sum(r => r.Count);
        var deliveries = delta.Where(r => systemApps.Contains(r.AppId) && r.Direction == "delivery").Sum(r => r.Count);
        table.Add("total (services)", "call", "all", "all", "all", Figures.Count(calls), PerOrder(calls));
        table.Add("total (services)", "delivery", "all", "all", "all", Figures.Count(deliveries), PerOrder(deliveries));
        table.Add("total (services)", "all", "all", "all", "all", Figures.Count(calls + deliveries), PerOrder(calls + deliveries));
        return table;
    }

    private static (string, string, string, string, string) Key(ExchangeRow row) => (row.AppId, row.Direction, row.Api, row.Method, row.Transport);

    private sealed record ExchangesDocument(IReadOnlyList<ExchangeRow> Exchanges);
}
