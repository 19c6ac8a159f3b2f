using Microsoft.Extensions.Configuration;

namespace DaprOrders.ServiceDefaults.Telemetry;

/// <summary>
/// Which signals go out over OTLP, decided from the standard OpenTelemetry settings (environment variables arrive
/// through <see cref="IConfiguration"/>). Export is opt-in: a signal is exported only when an OTLP endpoint is
/// configured for it (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or the per-signal <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c> /
/// <c>OTEL_EXPORTER_OTLP_METRICS_ENDPOINT</c>). The exporter's own default (localhost:4317) would otherwise make every
/// laptop run and test retry against a collector that is not there.
/// <c>OTEL_SDK_DISABLED=true</c> and <c>OTEL_TRACES_EXPORTER=none</c> / <c>OTEL_METRICS_EXPORTER=none</c> switch export off.
/// </summary>
public sealed record OtlpExportPlan(bool Traces, bool Metrics)
{
    public bool Any => Traces || Metrics;

    public static OtlpExportPlan From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (bool.TryParse(configuration["OTEL_SDK_DISABLED"], out var disabled) && disabled)
        {
            return new OtlpExportPlan(false, false);
        }

        var shared = HasValue(configuration, "OTEL_EXPORTER_OTLP_ENDPOINT");
        return new OtlpExportPlan(
            Traces: (shared || HasValue(configuration, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) && !IsNone(configuration, "OTEL_TRACES_EXPORTER"),
            Metrics: (shared || HasValue(configuration, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")) && !IsNone(configuration, "OTEL_METRICS_EXPORTER"));
    }

    private static bool HasValue(IConfiguration configuration, string key) => !string.IsNullOrWhiteSpace(configuration[key]);

    private static bool IsNone(IConfiguration configuration, string key) =>
        string.Equals(configuration[key]?.Trim(), "none", StringComparison.OrdinalIgnoreCase);
}
