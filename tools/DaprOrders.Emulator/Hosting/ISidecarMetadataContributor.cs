using System.Text.Json.Nodes;

namespace DaprOrders.Emulator.Hosting;

/// <summary>Adds a building block's part (components, subscriptions, actors, ...) to GET /v1.0/metadata.</summary>
public interface ISidecarMetadataContributor
{
    void Contribute(AppSidecar sidecar, JsonObject metadata);
}
