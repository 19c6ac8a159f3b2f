using System.Diagnostics;
using DaprOrders.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DaprOrders.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// Problem details (RFC 9457) for every error, console logs (<see cref="ConsoleLogFormat"/>), OpenAPI, and
    /// OpenTelemetry traces and metrics over OTLP when an OTLP endpoint is configured (see <see cref="OtlpExportPlan"/>).
    /// </summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);

        // .NET 10's server span carries the HTTP semantic-convention tags (http.request.method, url.path, http.route,
        // http.response.status_code) and is named "{method} {route}" only with this switch off; it is on by default for
        // the OpenTelemetry.Instrumentation.AspNetCore package, which this system does not use.
        AppContext.SetSwitch("Microsoft.AspNetCore.Hosting.SuppressActivityOpenTelemetryData", false);

        builder.Logging.ClearProviders();
        // Defaults live in code rather than appsettings.json so that every host (tests, containers) starts alike;
        // Logging__LogLevel__* environment variables still override them.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Logging.Configure(o => o.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        builder.AddServiceLogging();

        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
            var traceId = Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
            context.ProblemDetails.Extensions.TryAdd("traceId", traceId);
        });
        builder.Services.AddOpenApi();

        // IMeterFactory for the services' own instruments; the providers only listen to what is created anyway.
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<OpenTelemetryExport>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OpenTelemetryExport>());
        return builder;
    }

    /// <summary>
    /// Turns unhandled exceptions and bare status codes (404, 405, 413, 415) into problem details, and maps /healthz
    /// (Dapr's default app health path) and the OpenAPI document.
    /// </summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // Outermost, so the span sees the status the exception handler writes.
        app.Use(ServerSpanEnrichment.InvokeAsync);
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Kestrel reports body-too-large and similar client errors as BadHttpRequestException with a 4xx status.
            StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapGet("/healthz", () => TypedResults.Ok("Healthy"))
            .ExcludeFromDescription();
        return app;
    }
}
