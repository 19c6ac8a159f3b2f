using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DaprOrders.ServiceDefaults.Telemetry;

/// <summary>
/// OpenTelemetry traces and metrics of a service, through the OpenTelemetry .NET SDK and its instrumentation packages:
/// ASP.NET Core server spans and http.server.* metrics, HttpClient client spans (every call to the sidecar) and
/// http.client.* metrics, .NET runtime metrics, and the system's own sources and meters (<see cref="TelemetrySources"/>)
/// for what no instrumentation covers: pub/sub deliveries and the saga.
/// </summary>
public static class ServiceTelemetry
{
    /// <summary>
    /// The client-side activity sources traced: HttpClient's own spans (.NET 9+), and Grpc.Net.Client's, inside which
    /// the Dapr SDK's gRPC calls run (it starts one whenever logging is on). Without the latter, the HttpClient span of
    /// every sidecar call would point at a parent that no exporter ever sees.
    /// </summary>
    public static readonly IReadOnlyList<string> ClientActivitySources = ["System.Net.Http", "Grpc.Net.Client"];

    /// <summary>The standard setting whose presence turns OTLP export on.</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// Export is opt-in: only with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set does <c>UseOtlpExporter</c> add the OTLP
    /// exporter for both signals, configured by the other standard <c>OTEL_*</c> settings (protocol, headers,
    /// <c>OTEL_SERVICE_NAME</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>, <c>OTEL_TRACES_SAMPLER</c>, ...). Without it the
    /// exporter's default (localhost:4317) would make every laptop run and test retry against a missing collector.
    /// </summary>
    public static TBuilder AddServiceTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        // The Dapr app id is service.name unless OTEL_SERVICE_NAME says otherwise, so spans line up with daprd's.
        var serviceName = builder.Configuration["APP_ID"] is { Length: > 0 } appId ? appId : builder.Environment.ApplicationName;
        var environment = builder.Environment.EnvironmentName;

        var telemetry = builder.Services.AddOpenTelemetry()
            // Later detectors win: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the app id default.
            .ConfigureResource(resource => resource
                .AddService(serviceName, serviceVersion: Assembly.GetEntryAssembly()?.GetName().Version?.ToString())
                .AddAttributes([new("deployment.environment.name", environment)])
                .AddEnvironmentVariableDetector())
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation()
                // HttpClient's own client spans (.NET 9+), propagated by HttpClient itself. The tracing half of the
                // HttpClient instrumentation would re-inject traceparent through OpenTelemetry's propagator, over a
                // header the caller set: the in-process emulator sets each delivery's traceparent to daprd's span.
                .AddSource([.. ClientActivitySources])
                .AddSource(TelemetrySources.Own))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(TelemetrySources.Own));

        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointSetting]))
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }
}
