using System.Text.Json.Nodes;
using DaprOrders.Emulator.Hosting;

namespace DaprOrders.Emulator.Actors;

/// <summary>The "actors" and "actorRuntime" parts of GET /v1.0/metadata (dapr/dapr release-1.17 pkg/api/http/metadata.go).</summary>
internal sealed class ActorMetadataContributor(ActorPlacement placement, ActorRuntime runtime) : ISidecarMetadataContributor
{
    public void Contribute(AppSidecar sidecar, JsonObject metadata)
    {
        var counts = runtime.ActiveCounts(sidecar.AppId);
        JsonArray ActiveActors() => new(placement.HostedTypes(sidecar.AppId)
            .Select(t => (JsonNode)new JsonObject { ["type"] = t.ActorType, ["count"] = counts.GetValueOrDefault(t.ActorType) })
            .ToArray());

        var registered = placement.IsRegistered(sidecar.AppId);
        if (registered && placement.HostedTypes(sidecar.AppId).Count > 0)
        {
            metadata["actors"] = ActiveActors();
        }

        metadata["actorRuntime"] = new JsonObject
        {
            ["runtimeStatus"] = registered ? "RUNNING" : "INITIALIZING",
            ["activeActors"] = ActiveActors(),
            ["hostReady"] = registered,
            ["placement"] = "placement: connected",
        };
    }
}
