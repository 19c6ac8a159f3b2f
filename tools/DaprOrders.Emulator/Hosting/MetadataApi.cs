using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.Emulator.Hosting;

/// <summary>GET /v1.0/metadata and PUT /v1.0/metadata/{key} (wire notes section 8).</summary>
internal sealed class MetadataApi(IServiceProvider services) : ISidecarApi
{
    private const string RuntimeVersion = "1.17.0-emulator";

    public void Map(IEndpointRouteBuilder routes, AppSidecar sidecar)
    {
        var extended = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);

        routes.MapGet("/v1.0/metadata", () =>
        {
            var metadata = new JsonObject
            {
                ["id"] = sidecar.AppId,
                ["runtimeVersion"] = RuntimeVersion,
                ["enabledFeatures"] = new JsonArray(),
            };
            var extendedJson = new JsonObject { ["daprRuntimeVersion"] = RuntimeVersion };
            foreach (var (key, value) in extended.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                extendedJson[key] = value;
            }

            metadata["extended"] = extendedJson;
            if (sidecar.Options.AppPort is { } port)
            {
                metadata["appConnectionProperties"] = new JsonObject
                {
                    ["port"] = port,
                    ["protocol"] = "http",
                    ["channelAddress"] = sidecar.Options.AppChannelAddress,
                };
            }

            foreach (var contributor in services.GetServices<ISidecarMetadataContributor>())
            {
                contributor.Contribute(sidecar, metadata);
            }

            return Results.Text(metadata.ToJsonString(), "application/json");
        });

        routes.MapPut("/v1.0/metadata/{key}", async (string key, HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            extended[key] = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
            return Results.NoContent();
        });
    }
}
