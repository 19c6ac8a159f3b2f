using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DaprOrders.Emulator.Hosting;

/// <summary>The HTTP door of GET /v1.0/metadata and PUT /v1.0/metadata/{key} (https://docs.dapr.io/reference/api/metadata_api/).</summary>
internal sealed class MetadataApi(SidecarMetadata metadata) : ISidecarApi
{
    public void Map(IEndpointRouteBuilder routes, AppSidecar sidecar)
    {
        routes.MapGet("/v1.0/metadata", () => Results.Text(metadata.Describe(sidecar).ToJsonString(), "application/json"));

        routes.MapPut("/v1.0/metadata/{key}", async (string key, HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            metadata.SetExtended(sidecar.AppId, key, await reader.ReadToEndAsync(request.HttpContext.RequestAborted));
            return Results.NoContent();
        });
    }
}
