using DaprOrders.ServiceDefaults.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.Testing;

/// <summary>
/// Finds endpoints of a running service that change state outside the saga without the Operator policy: every route
/// with a method other than GET/HEAD, except the sidecar-facing callbacks (pub/sub deliveries under /events, /dapr/*,
/// actor calls under /actors), which daprd calls and the app token guards. A new operator endpoint that forgets
/// RequireOperator() shows up here.
/// </summary>
internal static class OperatorEndpointCoverage
{
    private static readonly string[] SidecarCallbackPrefixes = ["/events", "/dapr/", "/actors/"];

    public static IReadOnlyList<string> StateChangingEndpoints(IServiceProvider services) =>
        [.. Endpoints(services).Select(e => e.Route)];

    public static IReadOnlyList<string> WithoutOperatorPolicy(IServiceProvider services) =>
        [.. Endpoints(services).Where(e => !e.Operator).Select(e => e.Route)];

    private static IEnumerable<(string Route, bool Operator)> Endpoints(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Methods: e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []))
            .Where(e => e.Methods.Any(m => m is not ("GET" or "HEAD")))
            .Select(e => (Route: $"{string.Join(',', e.Methods)} /{e.Endpoint.RoutePattern.RawText?.TrimStart('/')}", e.Endpoint))
            .Where(e => !SidecarCallbackPrefixes.Any(p => e.Route[(e.Route.IndexOf(' ', StringComparison.Ordinal) + 1)..].StartsWith(p, StringComparison.Ordinal)))
            .Select(e => (e.Route, e.Endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == OperatorAccess.Policy)));
}
