namespace DaprOrders.ServiceDefaults.Telemetry;

/// <summary>
/// The activity sources and meters every service exports. ASP.NET Core and HttpClient emit them natively
/// (.NET 10): listening is enough, no instrumentation package is involved.
/// </summary>
public static class TelemetrySources
{
    /// <summary>Prefix of the system's own sources and meters (<c>DaprOrders.Sidecar</c>, <c>DaprOrders.Ordering</c>, ...).</summary>
    public const string OwnPrefix = "DaprOrders.";

    /// <summary>Server spans (one per request, continuing an incoming <c>traceparent</c>), client spans, ours.</summary>
    public static IReadOnlyList<string> ActivitySources { get; } = ["Microsoft.AspNetCore", "System.Net.Http", OwnPrefix + "*"];

    /// <summary>http.server.*, kestrel.*, http.client.* and ours.</summary>
    public static IReadOnlyList<string> Meters { get; } =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", OwnPrefix + "*"];
}
