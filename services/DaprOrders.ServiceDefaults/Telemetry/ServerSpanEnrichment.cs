using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace DaprOrders.ServiceDefaults.Telemetry;

/// <summary>
/// Completes ASP.NET Core's server span the way the OpenTelemetry HTTP conventions (and Jaeger's UI) expect: named
/// <c>{method} {route}</c>, with <c>http.route</c> and <c>http.response.status_code</c>. .NET 10 adds the request tags
/// itself; these two come from routing and the response, which the instrumentation package would otherwise fill in.
/// </summary>
internal static class ServerSpanEnrichment
{
    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        finally
        {
            Complete(context);
        }
    }

    private static void Complete(HttpContext context)
    {
        if (context.Features.Get<IHttpActivityFeature>()?.Activity is not { IsAllDataRequested: true } activity)
        {
            return;
        }

        var status = context.Response.StatusCode;
        activity.SetTag("http.response.status_code", status);
        if (status >= 500)
        {
            activity.SetStatus(ActivityStatusCode.Error);
            activity.SetTag("error.type", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        if (route is not null)
        {
            // Group prefixes leave "/orders/" for MapPost("/"); the conventions want the template as clients see it.
            route = "/" + route.Trim('/');
            activity.SetTag("http.route", route);
        }

        // Without a route the path could hold ids: the method alone keeps span names low-cardinality.
        activity.DisplayName = route is null ? context.Request.Method : $"{context.Request.Method} {route}";
    }
}
