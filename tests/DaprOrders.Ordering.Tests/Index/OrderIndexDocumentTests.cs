using DaprOrders.Contracts;
using DaprOrders.Ordering.Index;
using DaprOrders.Ordering.Orders;

namespace DaprOrders.Ordering.Tests.Index;

public sealed class OrderIndexDocumentTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void New_orders_are_listed_newest_first_and_counted()
    {
        var index = OrderIndexDocument.Empty.Apply([Created("a", 1), Created("b", 2), Created("c", 3)], capacity: 10);

        Assert.Equal(["c", "b", "a"], index.Recent.Select(o => o.OrderId));
        Assert.Equal(3, index.TotalOrders);
        Assert.Equal(3, index.CountsByStatus()["Submitted"]);
        Assert.Equal(0, index.CountsByStatus()["Completed"]);
    }

    [Fact]
    public void Status_changes_move_counts_and_repeats_or_stale_updates_change_nothing()
    {
        var index = OrderIndexDocument.Empty.Apply([Created("a", 1)], 10);
        var awaiting = Update("a", 1, OrderStatus.AwaitingPayment, OrderStatus.Submitted);
        var completed = Update("a", 1, OrderStatus.Completed, OrderStatus.AwaitingPayment);

        index = index.Apply([awaiting, completed], 10);
        var again = index.Apply([awaiting, completed, Created("a", 1)], 10);

        Assert.Equal(OrderStatus.Completed, Assert.Single(again.Recent).Status);
        Assert.Equal(1, again.TotalOrders);
        Assert.Equal(new Dictionary<string, long>
        {
            ["Submitted"] = 0, ["AwaitingPayment"] = 0, ["Completed"] = 1, ["Cancelled"] = 0,
        }, again.CountsByStatus());
    }

    [Fact]
    public void An_update_that_overtakes_the_creation_adds_the_order_once()
    {
        var index = OrderIndexDocument.Empty.Apply([Update("a", 1, OrderStatus.AwaitingPayment, OrderStatus.Submitted)], 10);
        index = index.Apply([Created("a", 1)], 10);

        Assert.Equal(OrderStatus.AwaitingPayment, Assert.Single(index.Recent).Status);
        Assert.Equal(1, index.TotalOrders);
        Assert.Equal(1, index.CountsByStatus()["AwaitingPayment"]);
        Assert.Equal(0, index.CountsByStatus()["Submitted"]);
    }

    [Fact]
    public void The_list_is_bounded_but_counts_keep_every_order()
    {
        var index = OrderIndexDocument.Empty.Apply(Enumerable.Range(1, 5).Select(i => Created($"o{i}", i)), capacity: 3);

        Assert.Equal(["o5", "o4", "o3"], index.Recent.Select(o => o.OrderId));
        Assert.Equal(5, index.TotalOrders);

        // o1 was pushed out: its counts move from the status the update names as previous.
        index = index.Apply([Update("o1", 1, OrderStatus.AwaitingPayment, OrderStatus.Submitted)], capacity: 3);

        Assert.Equal(["o5", "o4", "o3"], index.Recent.Select(o => o.OrderId));
        Assert.Equal(5, index.TotalOrders);
        Assert.Equal(4, index.CountsByStatus()["Submitted"]);
        Assert.Equal(1, index.CountsByStatus()["AwaitingPayment"]);
    }

    private static OrderIndexUpdate Created(string id, int minute) => Update(id, minute, OrderStatus.Submitted, previous: null);

    private static OrderIndexUpdate Update(string id, int minute, OrderStatus status, OrderStatus? previous) =>
        new(new OrderSummary(id, "c-1", new Money(100, "EUR"), status, T0.AddMinutes(minute), T0.AddMinutes(minute + 1)), previous);
}
