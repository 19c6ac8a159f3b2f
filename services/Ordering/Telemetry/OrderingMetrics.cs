using System.Diagnostics;
using System.Diagnostics.Metrics;
using DaprOrders.Contracts;
using DaprOrders.Ordering.Orders;

namespace DaprOrders.Ordering.Telemetry;

/// <summary>
/// The order funnel (meter <c>DaprOrders.Ordering</c>): orders submitted, completed, cancelled by reason, and how long
/// the saga took from creation to its terminal status. Counted when the change is recorded, so a turn that failed
/// after recording and ran again may count an order twice (at-least-once, like the events).
/// </summary>
public sealed class OrderingMetrics
{
    public const string MeterName = "DaprOrders.Ordering";
    public const string Submitted = "daprorders.orders.submitted";
    public const string Completed = "daprorders.orders.completed";
    public const string Cancelled = "daprorders.orders.cancelled";
    public const string SagaDuration = "daprorders.saga.duration";

    private readonly Counter<long> _submitted;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _cancelled;
    private readonly Histogram<double> _sagaDuration;

    public OrderingMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _submitted = meter.CreateCounter<long>(Submitted, "{order}", "Orders accepted at intake (a repeated submission is not counted again).");
        _completed = meter.CreateCounter<long>(Completed, "{order}", "Orders that reached Completed.");
        _cancelled = meter.CreateCounter<long>(Cancelled, "{order}", "Orders that reached Cancelled, by reason.");
        // Seconds up to the default 2-minute saga deadline and beyond.
        _sagaDuration = meter.CreateHistogram(SagaDuration, "s", "Time from order creation to Completed or Cancelled, by outcome.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] });
    }

    public void OrderSubmitted() => _submitted.Add(1);

    /// <summary>Call with the status before the change and the stored document after it; counts the step into a terminal status.</summary>
    public void StatusRecorded(OrderStatus before, OrderDocument stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (before.IsTerminal() || !stored.Status.IsTerminal())
        {
            return;
        }

        var seconds = Math.Max(0, (stored.UpdatedAt - stored.CreatedAt).TotalSeconds);
        if (stored.Status == OrderStatus.Completed)
        {
            _completed.Add(1);
            _sagaDuration.Record(seconds, new TagList { { "outcome", "completed" } });
            return;
        }

        var reason = ReasonName(stored.CancellationReason);
        _cancelled.Add(1, new TagList { { "reason", reason } });
        _sagaDuration.Record(seconds, new TagList { { "outcome", "cancelled" }, { "reason", reason } });
    }

    /// <summary>The wire name (<c>out-of-stock</c>, ...), as dashboards and alerts filter on it.</summary>
    public static string ReasonName(CancellationReason? reason) => reason switch
    {
        CancellationReason.OutOfStock => "out-of-stock",
        CancellationReason.PaymentDeclined => "payment-declined",
        CancellationReason.DeadlineExceeded => "deadline-exceeded",
        _ => "unknown",
    };
}
