using DaprOrders.Contracts;
using DaprOrders.Notification.Notifications;

namespace DaprOrders.Notification.Tests;

public sealed class NotificationDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private static NotificationRecord Record(NotificationStatus status, string? token = null, DateTimeOffset? claimedUntil = null) =>
        new("o-1", "c-1", NotificationKind.OrderCompleted, "stored", "text", status, Now, token, claimedUntil, 1,
            status == NotificationStatus.Sent ? Now : null);

    [Fact]
    public void No_record_means_create_then_send() =>
        Assert.Equal(NotificationStep.Create, NotificationDecision.Decide(null, Now));

    [Fact]
    public void Pending_without_a_claim_is_resumed() =>
        Assert.Equal(NotificationStep.Resume, NotificationDecision.Decide(Record(NotificationStatus.Pending), Now));

    [Fact]
    public void Pending_whose_claim_expired_is_resumed_because_its_sender_crashed() =>
        Assert.Equal(NotificationStep.Resume,
            NotificationDecision.Decide(Record(NotificationStatus.Pending, "t", Now.AddSeconds(-1)), Now));

    [Fact]
    public void Pending_claim_expiring_exactly_now_is_resumed() =>
        Assert.Equal(NotificationStep.Resume, NotificationDecision.Decide(Record(NotificationStatus.Pending, "t", Now), Now));

    [Fact]
    public void Pending_with_a_live_claim_waits_for_the_other_sender() =>
        Assert.Equal(NotificationStep.Wait,
            NotificationDecision.Decide(Record(NotificationStatus.Pending, "t", Now.AddSeconds(5)), Now));

    [Fact]
    public void Sent_is_announced_again_and_never_sent_again() =>
        Assert.Equal(NotificationStep.Announce, NotificationDecision.Decide(Record(NotificationStatus.Sent), Now));

    [Fact]
    public void Sent_and_already_announced_again_needs_nothing() =>
        Assert.Equal(NotificationStep.Ignore, NotificationDecision.Decide(Record(NotificationStatus.Sent) with { Reannounced = true }, Now));

    [Fact]
    public void Sent_is_announced_again_even_with_a_stale_claim_left_on_it() =>
        Assert.Equal(NotificationStep.Announce, NotificationDecision.Decide(Record(NotificationStatus.Sent, "t", Now.AddSeconds(5)), Now));

    [Fact]
    public void Recent_list_puts_new_orders_first_and_stays_bounded()
    {
        var recent = RecentNotifications.Empty.With("a", 2)!.With("b", 2)!.With("c", 2)!;
        Assert.Equal(["c", "b"], recent.OrderIds);
    }

    [Fact]
    public void Recent_list_ignores_an_order_already_listed() =>
        Assert.Null(new RecentNotifications(["a", "b"]).With("b", 10));

    [Fact]
    public void Pending_notifications_are_not_shown_as_sent()
    {
        Assert.Null(NotificationView.From(Record(NotificationStatus.Pending)));
        Assert.NotNull(NotificationView.From(Record(NotificationStatus.Sent)));
    }

    [Fact]
    public void Completed_message_states_the_amount_charged()
    {
        var outcome = OrderOutcome.From(new OrderCompleted("o-1", "c-1", new Money(1999, "EUR"), Now));
        Assert.Equal(NotificationKind.OrderCompleted, outcome.Kind);
        Assert.Contains("19.99 EUR", outcome.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CancellationReason.OutOfStock, "out of stock")]
    [InlineData(CancellationReason.PaymentDeclined, "payment was declined")]
    [InlineData(CancellationReason.DeadlineExceeded, "in time")]
    public void Cancelled_message_explains_the_reason(CancellationReason reason, string expected)
    {
        var outcome = OrderOutcome.From(new OrderCancelled("o-1", "c-1", reason, Now));
        Assert.Equal(NotificationKind.OrderCancelled, outcome.Kind);
        Assert.Contains(expected, outcome.Message, StringComparison.Ordinal);
    }
}
