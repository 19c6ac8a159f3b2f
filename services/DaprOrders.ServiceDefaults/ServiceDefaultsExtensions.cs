using System.Diagnostics;
using DaprOrders.ServiceDefaults.Security;
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
    /// Problem details (RFC 9457) for every error, console logs (<see cref="ConsoleLogFormat"/>), OpenAPI, the operator
    /// policy (<see cref="OperatorAccess"/>), and OpenTelemetry traces, metrics and logs, exported over OTLP when an
    /// OTLP endpoint is configured (see <see cref="ServiceTelemetry"/>).
    /// </summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);

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
        builder.Services.AddOperatorAccess();
        builder.AddServiceTelemetry();
        return builder;
    }

    /// <summary>
    /// Turns unhandled exceptions and bare status codes (404, 405, 413, 415) into problem details, and maps /healthz
    /// (Dapr's default app health path), the OpenAPI document and, in Development, its API reference page.
    /// </summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Kestrel reports body-too-large and similar client errors as BadHttpRequestException with a 4xx status.
            StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        // Explicit, after the status code pages: a bare 401/403 of a JWT challenge still becomes problem details.
        app.UseAuthorization();
        app.MapApiReference();
        app.MapGet("/healthz", () => TypedResults.Ok("Healthy"))
            .ExcludeFromDescription();
        return app;
    }
}
