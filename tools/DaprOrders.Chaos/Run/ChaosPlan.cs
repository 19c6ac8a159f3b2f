using System.Globalization;

namespace DaprOrders.Chaos.Run;

/// <summary>One planned order: its CloudEvent, a conflicting twin (same source+id, other data), and whether it is poison.</summary>
public sealed record PlannedOrder(string CloudEvent, string ConflictingCloudEvent, bool Poisoned);

/// <summary>
/// The order mix of a run, from a seed: 20 SKUs of which 4 are scarce (so some orders are rejected for stock),
/// customers of which 8 % are declined and 5 % fail once transiently at the gateway, three currencies (EUR, USD and
/// JPY with no minor unit). Poisoned orders use only plentiful SKUs and approved customers, so after the replay
/// they complete.
/// </summary>
public sealed record ChaosPlan(IReadOnlyList<PlannedOrder> Orders, IReadOnlyDictionary<string, int> InitialStock, IReadOnlyList<int> PoisonedIndexes)
{
    private const int Skus = 20;
    private const int ScarceSkus = 4;

    public static ChaosPlan Create(int orders, int seed, int poisoned)
    {
        var random = new Random(seed);
        var stock = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Skus; i++)
        {
            stock[Sku(i)] = i < Skus - ScarceSkus ? (orders / 2) + 10 : (orders / 10) + 2;
        }

        var poisonedIndexes = new HashSet<int>();
        while (poisonedIndexes.Count < Math.Min(poisoned, orders))
        {
            poisonedIndexes.Add(random.Next(orders));
        }

        var planned = new List<PlannedOrder>(orders);
        for (var n = 0; n < orders; n++)
        {
            var isPoisoned = poisonedIndexes.Contains(n);
            var roll = random.NextDouble();
            var customer = isPoisoned || roll >= 0.13 ? $"customer-{n}" : roll < 0.08 ? $"declined-{n}" : $"flaky-1-{n}";
            var currencyRoll = random.NextDouble();
            var currency = currencyRoll < 0.7 ? "EUR" : currencyRoll < 0.9 ? "USD" : "JPY";
            var lineCount = random.Next(1, 4);
            var skus = Enumerable.Range(0, Skus - (isPoisoned ? ScarceSkus : 0)).OrderBy(_ => random.Next()).Take(lineCount).ToList();
            var lines = skus.Select(s => (Sku(s), random.Next(1, 4), (long)random.Next(100, 5000))).ToList();
            var id = "chaos-" + n.ToString(CultureInfo.InvariantCulture);
            planned.Add(new PlannedOrder(
                SystemApi.SubmittedEvent(SourceOf(seed), id, customer, currency, lines),
                SystemApi.SubmittedEvent(SourceOf(seed), id, customer, currency, lines.Select(l => (l.Item1, l.Item2 + 1, l.Item3))),
                isPoisoned));
        }

        return new ChaosPlan(planned, stock, [.. poisonedIndexes.Order()]);
    }

    public static string Sku(int i) => "chaos-sku-" + i.ToString("00", CultureInfo.InvariantCulture);

    // Per seed, so two runs against one system would not collide on order ids.
    private static string SourceOf(int seed) => "urn:daprorders:chaos:" + seed.ToString(CultureInfo.InvariantCulture);
}
