using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DaprOrders.Emulator.Hosting;

/// <summary>GET /v1.0/healthz and /v1.0/healthz/outbound (dapr/dapr release-1.17 pkg/api/http/healthz.go).</summary>
internal sealed class HealthApi : ISidecarApi
{
    public void Map(IEndpointRouteBuilder routes, AppSidecar sidecar)
    {
        // Outbound health is ready as soon as components are loaded and the API listens: before the app is up.
        routes.MapGet("/v1.0/healthz/outbound", () => Results.NoContent());

        routes.MapGet("/v1.0/healthz", (HttpContext context) =>
        {
            var appId = context.Request.Query["appid"].ToString();
            if (appId.Length > 0 && appId != sidecar.AppId)
            {
                return DaprError(500, "ERR_HEALTH_APPID_NOT_MATCH", $"dapr app-id does not match: {appId}");
            }

            return sidecar.IsAppReady
                ? Results.NoContent()
                : DaprError(500, "ERR_HEALTH_NOT_READY", "dapr is not ready: [app]");
        });
    }

    internal static IResult DaprError(int status, string errorCode, string message) =>
        Results.Json(new Dictionary<string, string> { ["errorCode"] = errorCode, ["message"] = message }, JsonSerializerOptions.Default, statusCode: status);
}
