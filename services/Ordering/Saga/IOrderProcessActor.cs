using Dapr.Actors;

namespace DaprOrders.Ordering.Saga;

/// <summary>
/// The actor interface of <c>OrderProcess</c> (the SDK hosts only types that implement one). It has no methods: the
/// actor is reached only by its <c>deadline</c> reminder, which the sidecar fires into it.
/// </summary>
public interface IOrderProcessActor : IActor;
