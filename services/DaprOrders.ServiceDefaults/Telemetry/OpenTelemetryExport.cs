using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DaprOrders.ServiceDefaults.Telemetry;

/// <summary>
/// Owns the OpenTelemetry tracer and meter providers of the host (OpenTelemetry.Extensions.Hosting is not available, so
/// this is what it would do): builds them before anything else starts, so the first request is already traced, and
/// disposes them once the host has stopped, which flushes the last spans and metric points.
/// Everything else comes from the standard <c>OTEL_*</c> settings, read through the host's <see cref="IConfiguration"/>:
/// endpoint, protocol, headers and timeout of the exporter, <c>OTEL_SERVICE_NAME</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>,
/// <c>OTEL_TRACES_SAMPLER(_ARG)</c>, <c>OTEL_METRIC_EXPORT_INTERVAL</c>, <c>OTEL_BSP_*</c>.
/// </summary>
public sealed partial class OpenTelemetryExport(IConfiguration configuration, IHostEnvironment environment, ILogger<OpenTelemetryExport> logger)
    : IHostedLifecycleService, IDisposable
{
    private TracerProvider? _tracerProvider;
    private MeterProvider? _meterProvider;

    public OtlpExportPlan Plan { get; } = OtlpExportPlan.From(configuration);

    /// <summary>service.name unless OTEL_SERVICE_NAME says otherwise: the Dapr app id, so spans and metrics line up with daprd's.</summary>
    public string ServiceName => configuration["APP_ID"] is { Length: > 0 } appId ? appId : environment.ApplicationName;

    public bool IsExporting => _tracerProvider is not null || _meterProvider is not null;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        if (IsExporting)
        {
            return Task.CompletedTask;
        }

        if (Plan.Traces)
        {
            _tracerProvider = Sdk.CreateTracerProviderBuilder()
                .ConfigureServices(services => services.AddSingleton(configuration))
                .ConfigureResource(ConfigureResource)
                .AddSource([.. TelemetrySources.ActivitySources])
                .AddOtlpExporter()
                .Build();
        }

        if (Plan.Metrics)
        {
            _meterProvider = Sdk.CreateMeterProviderBuilder()
                .ConfigureServices(services => services.AddSingleton(configuration))
                .ConfigureResource(ConfigureResource)
                .AddMeter([.. TelemetrySources.Meters])
                .AddOtlpExporter()
                .Build();
        }

        LogExport(logger, ServiceName, Plan.Traces, Plan.Metrics);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>After the server has drained its requests: their spans are in the batch that disposing flushes.</summary>
    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _tracerProvider?.Dispose();
        _tracerProvider = null;
        _meterProvider?.Dispose();
        _meterProvider = null;
    }

    // Later detectors win: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the app id default.
    private void ConfigureResource(ResourceBuilder resource) => resource
        .AddService(ServiceName, serviceVersion: Assembly.GetEntryAssembly()?.GetName().Version?.ToString())
        .AddAttributes([new("deployment.environment.name", environment.EnvironmentName)])
        .AddEnvironmentVariableDetector();

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "OpenTelemetry export for {ServiceName}: traces {Traces}, metrics {Metrics} (opt-in through OTEL_EXPORTER_OTLP_*ENDPOINT)")]
    private static partial void LogExport(ILogger logger, string serviceName, bool traces, bool metrics);
}
