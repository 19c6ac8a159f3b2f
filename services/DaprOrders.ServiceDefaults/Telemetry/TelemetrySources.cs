namespace DaprOrders.ServiceDefaults.Telemetry;

/// <summary>
/// The system's own activity sources and meters, for what no instrumentation package covers: pub/sub publishes and
/// deliveries (<c>DaprOrders.Messaging</c>) and the saga's counters (<c>DaprOrders.Ordering</c>, ...).
/// </summary>
public static class TelemetrySources
{
    /// <summary>Prefix of the system's own sources and meters (<c>DaprOrders.Messaging</c>, <c>DaprOrders.Ordering</c>, ...).</summary>
    public const string OwnPrefix = "DaprOrders.";

    /// <summary>Every source and meter of ours, as the SDK's wildcard.</summary>
    public const string Own = OwnPrefix + "*";
}
