using System.Text.Json.Nodes;
using DaprOrders.Emulator.Hosting;

namespace DaprOrders.Emulator.Resources;

/// <summary>The "components" part of GET /v1.0/metadata: what each app's sidecar loaded (scopes applied).</summary>
internal sealed class ComponentsMetadataContributor(EmulatorResources resources) : ISidecarMetadataContributor
{
    public void Contribute(AppSidecar sidecar, JsonObject metadata)
    {
        var components = new JsonArray();
        foreach (var component in resources.ComponentsFor(sidecar.AppId))
        {
            var entry = new JsonObject { ["name"] = component.Name, ["type"] = component.Type, ["version"] = component.Version };
            var capabilities = Capabilities(component.Type);
            if (capabilities.Length > 0)
            {
                entry["capabilities"] = new JsonArray([.. capabilities.Select(c => (JsonNode)c)]);
            }

            components.Add(entry);
        }

        if (components.Count > 0)
        {
            metadata["components"] = components;
        }

        if (resources.Configuration.Features.Any(f => f.Value))
        {
            metadata["enabledFeatures"] = new JsonArray([.. resources.Configuration.Features.Where(f => f.Value).Select(f => (JsonNode)f.Key)]);
        }
    }

    // state.in-memory supports ETags, transactions and TTL; daprd adds ACTOR to stores with ETag + transactions.
    private static string[] Capabilities(string type) => type switch
    {
        "state.in-memory" => ["ETAG", "TRANSACTIONAL", "TTL", "ACTOR"],
        _ => [],
    };
}
