using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Scalar.AspNetCore;

namespace DaprOrders.ServiceDefaults;

/// <summary>The service's OpenAPI document and, in Development, a Scalar API reference page over it.</summary>
public static class ApiReference
{
    public const string OpenApiRoutePattern = "/openapi/{documentName}.json";

    /// <summary>The reference page: <c>/scalar</c> (the v1 document at <c>/scalar/v1</c>).</summary>
    public const string PagePrefix = "/scalar";

    public static IEndpointRouteBuilder MapApiReference(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapOpenApi(OpenApiRoutePattern);
        if (app.Environment.IsDevelopment())
        {
            // Scalar.AspNetCore serves its bundled script next to the page; without the CDN fonts, Scalar's telemetry
            // and its hosted AI chat the page makes no request beyond the service, so it works offline.
            app.MapScalarApiReference(PagePrefix, options => options
                .WithTitle($"{app.Environment.ApplicationName} API")
                .WithOpenApiRoutePattern(OpenApiRoutePattern)
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp());
        }

        return app;
    }
}
