using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;

namespace DaprOrders.ServiceDefaults;

/// <summary>How a service's logs leave the process.</summary>
public static class ConsoleLogFormat
{
    /// <summary>
    /// In Development one human-readable line per entry (a developer reads the console, or the Aspire dashboard);
    /// elsewhere (containers) JSON with the trace and span ids, for the log collector. With an OTLP endpoint configured
    /// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, as the AppHost sets it) the same structured entries also go out over OTLP.
    /// </summary>
    public static TBuilder AddServiceLogging<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Environment.IsDevelopment())
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
        }
        else
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            });
        }

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Logging.AddOpenTelemetry(o =>
            {
                o.IncludeScopes = true;
                // Exported by ServiceTelemetry's UseOtlpExporter, which covers every signal (a second exporter here
                // would be refused by OpenTelemetry).
                o.IncludeFormattedMessage = true;
            });
        }

        return builder;
    }
}
