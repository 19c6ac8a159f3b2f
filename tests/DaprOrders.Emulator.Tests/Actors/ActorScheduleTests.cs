using DaprOrders.Emulator.Actors;

namespace DaprOrders.Emulator.Tests.Actors;

// Formats: https://docs.dapr.io/reference/api/actors_api/ (dapr/kit time/time.go parsing) and dapr/dapr release-1.17 pkg/actors/targets/app/app.go (/dapr/config).
public sealed class ActorScheduleTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("3s", 3)]
    [InlineData("0h0m3s0ms", 3)]
    [InlineData("1h30m", 5400)]
    [InlineData("500ms", 0.5)]
    [InlineData("PT3S", 3)]
    [InlineData("PT1H0.5S", 3600.5)]
    [InlineData("", 0)]
    public void Due_times_accept_go_and_iso_durations(string dueTime, double seconds)
    {
        var schedule = ActorSchedule.Parse(dueTime, null, null, Now, calendarPeriodsAllowed: false);

        Assert.Equal(Now.AddSeconds(seconds), schedule.DueAt);
        Assert.Null(schedule.Period);
    }

    [Fact]
    public void An_rfc3339_due_time_is_absolute()
    {
        var schedule = ActorSchedule.Parse("2026-03-01T10:00:05+00:00", null, null, Now, calendarPeriodsAllowed: false);

        Assert.Equal(Now.AddSeconds(5), schedule.DueAt);
    }

    [Fact]
    public void Repetitions_limit_the_fires_and_ttl_stops_the_schedule()
    {
        var repeated = ActorSchedule.Parse("", "R3/PT10S", null, Now, calendarPeriodsAllowed: false);
        Assert.Equal(3, repeated.Repetitions);
        Assert.Equal(Now.AddSeconds(10), repeated.NextAfter(Now, 1));
        Assert.Equal(Now.AddSeconds(20), repeated.NextAfter(Now.AddSeconds(10), 2));
        Assert.Null(repeated.NextAfter(Now.AddSeconds(20), 3));

        var bounded = ActorSchedule.Parse("1s", "10s", "15s", Now, calendarPeriodsAllowed: false);
        Assert.Equal(Now.AddSeconds(16), bounded.ExpiresAt);
        Assert.Equal(Now.AddSeconds(11), bounded.NextAfter(Now.AddSeconds(1), 1));
        Assert.Null(bounded.NextAfter(Now.AddSeconds(11), 2));
    }

    [Fact]
    public void Calendar_periods_are_for_timers_only_as_in_daprd_with_the_scheduler()
    {
        Assert.Throws<FormatException>(() => ActorSchedule.Parse("", "P1D", null, Now, calendarPeriodsAllowed: false));

        var timer = ActorSchedule.Parse("", "P1DT2H", null, Now, calendarPeriodsAllowed: true);
        Assert.Equal(Now.AddDays(1).AddHours(2), timer.NextAfter(Now, 1));
        var monthly = ActorSchedule.Parse("", "P1M", null, Now, calendarPeriodsAllowed: true);
        Assert.Equal(new DateTimeOffset(2026, 4, 1, 10, 0, 0, TimeSpan.Zero), monthly.NextAfter(Now, 1));
    }

    [Theory]
    [InlineData("soon", null, null)]
    [InlineData("", "R0/PT1S", null)]
    [InlineData("", "1d", null)]
    [InlineData("", "0s", null)]
    [InlineData("", null, "2020-01-01T00:00:00Z")]
    [InlineData("R2/PT1S", null, null)]
    public void Formats_daprd_rejects_are_rejected(string dueTime, string? period, string? ttl) =>
        Assert.Throws<FormatException>(() => ActorSchedule.Parse(dueTime, period, ttl, Now, calendarPeriodsAllowed: true));

    [Fact]
    public void App_config_gives_defaults_and_per_type_overrides()
    {
        var config = ActorHostConfig.Parse("""
            {"Entities":["Cart","Order"],"actorIdleTimeout":"30m","actorScanInterval":"30s",
             "reentrancy":{"enabled":false},
             "entitiesConfig":[{"entities":["Order","Ghost"],"actorIdleTimeout":"0h5m0s0ms","reentrancy":{"enabled":true,"maxStackDepth":8}}]}
            """u8);

        var cart = config.Types.Single(t => t.ActorType == "Cart");
        Assert.Equal(TimeSpan.FromMinutes(30), cart.IdleTimeout);
        Assert.Equal(ActorTypeSettings.DefaultDrainOngoingCallTimeout, cart.DrainOngoingCallTimeout);
        Assert.False(cart.ReentrancyEnabled);
        var order = config.Types.Single(t => t.ActorType == "Order");
        Assert.Equal(TimeSpan.FromMinutes(5), order.IdleTimeout);
        Assert.True(order.ReentrancyEnabled);
        Assert.Equal(8, order.MaxStackDepth);
        Assert.Contains(config.Warnings, w => w.Contains("Ghost", StringComparison.Ordinal));

        var defaults = ActorHostConfig.Parse("""{"entities":["Cart"],"actorIdleTimeout":"1d"}"""u8).Types.Single();
        Assert.Equal(ActorTypeSettings.DefaultIdleTimeout, defaults.IdleTimeout);
    }
}
