using Dapr.Actors;
using Dapr.Actors.Client;

namespace DaprOrders.Inventory.Stock;

/// <summary>
/// Typed proxies to Stock actors. Calls go through the sidecar's actor API, so daprd's placement decides which replica
/// hosts a SKU and its per-actor lock serialises the calls, whichever replica handles the event.
/// </summary>
public sealed class StockActors(IActorProxyFactory proxies)
{
    public IStockActor For(string sku) => proxies.CreateActorProxy<IStockActor>(new ActorId(sku), StockActor.TypeName);
}
