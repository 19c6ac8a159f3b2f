using Dapr.Client;
using DaprOrders.BuildingBlocks.State;
using DaprOrders.Ordering.Orders;
using Microsoft.Extensions.Options;

namespace DaprOrders.Ordering.Index;

/// <summary>
/// The operations index (<c>orders-index</c>): counts by status and the latest orders. The intake and the saga hand
/// it updates without waiting: they must not pay a sidecar round trip, nor contend on one document, for an overview.
/// </summary>
public sealed class OrderIndexWriter(DaprClient dapr, IOptions<OrderIndexOptions> options, ILogger<OrderIndexWriter> logger)
    : SharedStateDocumentWriter<OrderIndexUpdate, OrderIndexDocument>(dapr, OrderStore.StoreName,
        new SharedStateDocumentSettings(options.Value.QueueLimit, options.Value.FlushInterval), logger)
{
    public const string IndexKey = "orders-index";

    protected override string Key => IndexKey;

    public void Enqueue(OrderDocument order, OrderStatus? previousStatus)
    {
        ArgumentNullException.ThrowIfNull(order);
        Enqueue(new OrderIndexUpdate(
            new OrderSummary(order.OrderId, order.CustomerId, order.Total, order.Status, order.CreatedAt, order.UpdatedAt),
            previousStatus));
    }

    public async Task<OrderIndexDocument> ReadIndexAsync(CancellationToken cancellationToken = default) =>
        await ReadAsync(cancellationToken) ?? OrderIndexDocument.Empty;

    protected override OrderIndexDocument Apply(OrderIndexDocument? current, IReadOnlyList<OrderIndexUpdate> batch) =>
        (current ?? OrderIndexDocument.Empty).Apply(batch, Math.Max(1, options.Value.Capacity));
}
