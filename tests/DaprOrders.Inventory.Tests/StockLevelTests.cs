using DaprOrders.Inventory.Stock;

namespace DaprOrders.Inventory.Tests;

public sealed class StockLevelTests
{
    private const string Sku = "sku-1";
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    private static StockLevel Stocked(int available)
    {
        var level = new StockLevel();
        level.SetAvailable(available);
        return level;
    }

    [Fact]
    public void Reserve_with_enough_stock_moves_units_from_available_to_reserved()
    {
        var level = Stocked(10);

        var result = level.Reserve(Sku, "o1", 4, T0);

        Assert.Equal(new StockReservationResult(Sku, "o1", ReserveOutcome.Reserved, 4, 6), result);
        Assert.Equal((6, 4, 0), (level.Available, level.Reserved, level.Committed));
    }

    [Fact]
    public void Reserve_without_enough_stock_is_insufficient_and_changes_no_levels()
    {
        var level = Stocked(3);

        var result = level.Reserve(Sku, "o1", 4, T0);

        Assert.Equal(ReserveOutcome.Insufficient, result.Outcome);
        Assert.Equal(3, result.Available);
        Assert.Equal((3, 0), (level.Available, level.Reserved));
    }

    [Fact]
    public void Reserve_of_an_unknown_sku_is_insufficient_with_nothing_available()
    {
        var result = new StockLevel().Reserve("nope", "o1", 1, T0);

        Assert.Equal(ReserveOutcome.Insufficient, result.Outcome);
        Assert.Equal(0, result.Available);
    }

    [Fact]
    public void A_repeated_reserve_returns_the_first_answer_and_never_reserves_twice()
    {
        var level = Stocked(10);
        level.Reserve(Sku, "o1", 4, T0);
        var version = level.Version;

        var again = level.Reserve(Sku, "o1", 4, T0);

        Assert.Equal(ReserveOutcome.Reserved, again.Outcome);
        Assert.Equal((6, 4), (level.Available, level.Reserved));
        Assert.Equal(version, level.Version);
    }

    [Fact]
    public void A_repeated_reserve_after_a_refusal_stays_refused_even_if_stock_arrived()
    {
        var level = Stocked(1);
        level.Reserve(Sku, "o1", 5, T0);
        level.SetAvailable(100);

        var again = level.Reserve(Sku, "o1", 5, T0);

        Assert.Equal(ReserveOutcome.Insufficient, again.Outcome);
        Assert.Equal(1, again.Available);
        Assert.Equal(100, level.Available);
    }

    [Fact]
    public void Release_returns_the_units_once_and_a_repeat_answers_alike()
    {
        var level = Stocked(10);
        level.Reserve(Sku, "o1", 4, T0);

        var first = level.Release(Sku, "o1", T0);
        var second = level.Release(Sku, "o1", T0);

        Assert.Equal(4, first.ReleasedQuantity);
        Assert.Equal(4, second.ReleasedQuantity);
        Assert.Equal((10, 0), (level.Available, level.Reserved));
    }

    [Fact]
    public void Releasing_a_refused_order_gives_nothing_back()
    {
        var level = Stocked(3);
        level.Reserve(Sku, "o1", 4, T0);

        var release = level.Release(Sku, "o1", T0);

        Assert.Equal(0, release.ReleasedQuantity);
        Assert.Equal((3, 0), (level.Available, level.Reserved));
    }

    [Fact]
    public void A_reserve_after_a_release_is_refused_so_a_late_redelivery_never_holds_stock()
    {
        var level = Stocked(10);
        level.Reserve(Sku, "o1", 4, T0);
        level.Release(Sku, "o1", T0);

        var late = level.Reserve(Sku, "o1", 4, T0);

        Assert.Equal(ReserveOutcome.Released, late.Outcome);
        Assert.Equal((10, 0), (level.Available, level.Reserved));
    }

    [Fact]
    public void A_release_before_any_reserve_blocks_that_order_for_good()
    {
        var level = Stocked(10);

        var release = level.Release(Sku, "o1", T0);
        var reserve = level.Reserve(Sku, "o1", 2, T0);

        Assert.Equal(0, release.ReleasedQuantity);
        Assert.Equal(ReserveOutcome.Released, reserve.Outcome);
        Assert.Equal(10, level.Available);
    }

    [Fact]
    public void Holds_older_than_the_retention_are_forgotten_and_a_held_reservation_becomes_committed()
    {
        var level = Stocked(10);
        level.Reserve(Sku, "old-held", 4, T0);
        level.Reserve(Sku, "old-refused", 50, T0);
        level.Release(Sku, "old-released", T0);
        level.Reserve(Sku, "recent", 1, T0.AddHours(12));
        var version = level.Version;

        var pruned = level.Prune(T0 + Retention, Retention);

        Assert.True(pruned);
        Assert.True(level.Version > version);
        Assert.Equal(["recent"], level.Holds.Keys);
        Assert.Equal((5, 1, 4), (level.Available, level.Reserved, level.Committed));
    }

    [Fact]
    public void Pruning_within_the_retention_changes_nothing()
    {
        var level = Stocked(10);
        level.Reserve(Sku, "o1", 4, T0);
        var version = level.Version;

        Assert.False(level.Prune(T0 + Retention - TimeSpan.FromTicks(1), Retention));
        Assert.Equal(version, level.Version);
        Assert.Equal((6, 4, 0), (level.Available, level.Reserved, level.Committed));
    }

    [Fact]
    public void State_written_before_holds_had_a_time_is_pruned_on_the_first_turn()
    {
        var level = System.Text.Json.JsonSerializer.Deserialize("""
            {"available":6,"reserved":1,"committed":4,"listed":true,"version":9,
             "holds":{"done":{"quantity":4,"status":"committed"},"open":{"quantity":1,"status":"reserved"}}}
            """, InventoryJsonContext.Default.StockLevel)!;

        Assert.True(level.Prune(T0, Retention));

        Assert.Empty(level.Holds);
        Assert.Equal((6, 0, 5), (level.Available, level.Reserved, level.Committed));
    }

    [Fact]
    public void A_committed_reservation_is_never_given_back()
    {
        var level = Stocked(10);
        level.Reserve(Sku, "o1", 4, T0);
        level.Prune(T0 + Retention, Retention);

        var release = level.Release(Sku, "o1", T0 + Retention);

        Assert.Equal(0, release.ReleasedQuantity);
        Assert.Equal((6, 0, 4), (level.Available, level.Reserved, level.Committed));
    }

    [Fact]
    public void SetAvailable_rejects_negative_counts_and_keeps_reservations()
    {
        var level = Stocked(10);
        level.Reserve(Sku, "o1", 4, T0);

        Assert.Throws<ArgumentOutOfRangeException>(() => level.SetAvailable(-1));
        level.SetAvailable(2);

        Assert.Equal((2, 4), (level.Available, level.Reserved));
        Assert.True(level.Listed);
    }

    [Fact]
    public void InitializeIfUnlisted_stocks_only_a_sku_nobody_stocked()
    {
        var fresh = new StockLevel();
        var stocked = Stocked(7);

        Assert.True(fresh.InitializeIfUnlisted(1000));
        Assert.False(stocked.InitializeIfUnlisted(1000));
        Assert.Equal(1000, fresh.Available);
        Assert.Equal(7, stocked.Available);
    }

    [Fact]
    public void Reserve_rejects_non_positive_quantities()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Stocked(5).Reserve(Sku, "o1", 0, T0));
    }

    [Fact]
    public void Levels_never_go_negative_units_are_conserved_and_the_ledger_stays_bounded_under_any_sequence()
    {
        var random = new Random(1234);
        var level = Stocked(50);
        var stocked = 50;
        var now = T0;
        var retention = TimeSpan.FromMinutes(30);
        for (var step = 0; step < 5_000; step++)
        {
            now += TimeSpan.FromSeconds(random.Next(0, 10));
            var order = "o" + step.ToString(System.Globalization.CultureInfo.InvariantCulture)[..^1];
            level.Prune(now, retention);
            switch (random.Next(4))
            {
                case 0: level.Reserve(Sku, order, random.Next(1, 8), now); break;
                case 1: level.Release(Sku, order, now); break;
                case 2: level.Reserve(Sku, order, random.Next(1, 8), now); break;
                default:
                    if (random.Next(20) == 0)
                    {
                        var count = random.Next(0, 30);
                        stocked += count - level.Available;
                        level.SetAvailable(count);
                    }

                    break;
            }

            Assert.True(level.Available >= 0 && level.Reserved >= 0 && level.Committed >= 0);
            Assert.Equal(level.Holds.Values.Where(h => h.Status == HoldStatus.Reserved).Sum(h => h.Quantity), level.Reserved);
            Assert.Equal(stocked, level.Available + level.Reserved + level.Committed);
            Assert.All(level.Holds.Values, h => Assert.True(h.At > now - retention, $"hold from {h.At} kept at {now}"));
        }

        // 500 orders went through; the ledger keeps only those of the last half hour.
        Assert.InRange(level.Holds.Count, 1, 100);
        Assert.True(level.Committed > 0);
    }
}
