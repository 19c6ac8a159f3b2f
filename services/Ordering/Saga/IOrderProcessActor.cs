using Dapr.Actors;
using DaprOrders.Contracts;

namespace DaprOrders.Ordering.Saga;

/// <summary>
/// The saga of one order (actor type <c>OrderProcess</c>, actor id = order id), as callers reach it through a typed
/// proxy. Every method is safe to call again with the same event. Each method takes one JSON argument, so apps in other
/// languages can call it too: daprd delivers their plain JSON body without the .NET remoting header.
/// </summary>
public interface IOrderProcessActor : IActor
{
    /// <summary>Starts the saga (status Reserving, deadline reminder). A second call changes nothing.</summary>
    Task StartAsync(OrderCreated created, CancellationToken cancellationToken = default);

    Task OnStockReservedAsync(StockReserved reserved, CancellationToken cancellationToken = default);

    Task OnStockRejectedAsync(StockRejected rejected, CancellationToken cancellationToken = default);

    Task OnPaymentSucceededAsync(PaymentSucceeded succeeded, CancellationToken cancellationToken = default);

    Task OnPaymentFailedAsync(PaymentFailed failed, CancellationToken cancellationToken = default);
}
