using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DaprOrders.Audit.Telemetry;

/// <summary>Dead letters (meter <c>DaprOrders.Audit</c>): arrivals on the <c>deadletters</c> topic and operator replays, by original topic and type.</summary>
public sealed class AuditMetrics
{
    public const string MeterName = "DaprOrders.Audit";
    public const string DeadLettersReceived = "daprorders.deadletters.received";
    public const string DeadLettersReplayed = "daprorders.deadletters.replayed";

    private readonly Counter<long> _received;
    private readonly Counter<long> _replayed;

    public AuditMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _received = meter.CreateCounter<long>(DeadLettersReceived, "{event}", "Dead letters stored (each arrival, also of an id seen before), by original topic and type.");
        _replayed = meter.CreateCounter<long>(DeadLettersReplayed, "{event}", "Dead letters republished to their original topic by an operator.");
    }

    public void DeadLetterReceived(string? topic, string? type) =>
        _received.Add(1, new TagList { { "topic", topic ?? "unknown" }, { "event_type", type ?? "unknown" } });

    public void DeadLetterReplayed(string? topic, string? type) =>
        _replayed.Add(1, new TagList { { "topic", topic ?? "unknown" }, { "event_type", type ?? "unknown" } });
}
