using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace DaprOrders.Contracts;

/// <summary>An ISO 4217 currency and its minor-unit exponent (EUR 2: 1999 minor units = 19.99).</summary>
public sealed record CurrencyInfo(string Code, int MinorUnits);

/// <summary>
/// The ISO 4217 currencies DaprOrders accepts. The <c>currency</c> enum of every JSON Schema is exactly this list
/// (a test keeps them equal), so a client in any language sees the same set.
/// </summary>
public static class Currencies
{
    public static IReadOnlyList<CurrencyInfo> All { get; } =
    [
        new("AUD", 2), new("BRL", 2), new("CAD", 2), new("CHF", 2), new("CNY", 2), new("CZK", 2),
        new("DKK", 2), new("EUR", 2), new("GBP", 2), new("HKD", 2), new("HUF", 2), new("INR", 2),
        new("JPY", 0), new("KRW", 0), new("MXN", 2), new("NOK", 2), new("NZD", 2), new("PLN", 2),
        new("SEK", 2), new("SGD", 2), new("USD", 2), new("ZAR", 2),
        // Three-decimal currencies keep minor-unit arithmetic honest.
        new("BHD", 3), new("KWD", 3),
    ];

    private static readonly FrozenDictionary<string, CurrencyInfo> ByCode =
        All.ToFrozenDictionary(c => c.Code, StringComparer.Ordinal);

    /// <summary>Codes are matched case-sensitively: the wire format is three upper-case letters.</summary>
    public static bool IsKnown([NotNullWhen(true)] string? code) => code is not null && ByCode.ContainsKey(code);

    public static bool TryGet([NotNullWhen(true)] string? code, [NotNullWhen(true)] out CurrencyInfo? currency)
    {
        currency = null;
        return code is not null && ByCode.TryGetValue(code, out currency);
    }
}
