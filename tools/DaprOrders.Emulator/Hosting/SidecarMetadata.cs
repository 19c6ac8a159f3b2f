using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.Emulator.Hosting;

/// <summary>
/// What a sidecar reports about itself (daprd's metadata API), behind both doors: GET /v1.0/metadata renders it as
/// JSON, the gRPC GetMetadata maps the same document to its message. Extended attributes are kept per app.
/// </summary>
public sealed class SidecarMetadata(IServiceProvider services)
{
    public const string RuntimeVersion = "1.17.0-emulator";

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, string>> _extended = new(StringComparer.Ordinal);

    /// <summary>Sets an extended attribute, as PUT /v1.0/metadata/{key} and the gRPC SetMetadata do.</summary>
    public void SetExtended(string appId, string key, string value) =>
        _extended.GetOrAdd(appId, _ => new(StringComparer.Ordinal))[key] = value;

    /// <summary>The metadata document in daprd's HTTP JSON shape.</summary>
    public JsonObject Describe(AppSidecar sidecar)
    {
        ArgumentNullException.ThrowIfNull(sidecar);
        var metadata = new JsonObject
        {
            ["id"] = sidecar.AppId,
            ["runtimeVersion"] = RuntimeVersion,
            ["enabledFeatures"] = new JsonArray(),
        };
        var extendedJson = new JsonObject { ["daprRuntimeVersion"] = RuntimeVersion };
        if (_extended.TryGetValue(sidecar.AppId, out var extended))
        {
            foreach (var (key, value) in extended.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                extendedJson[key] = value;
            }
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

        return metadata;
    }
}
