extern alias audit;
extern alias inventory;
extern alias ordering;

using System.Text.Json;
using audit::DaprOrders.Audit.Telemetry;
using DaprOrders.BuildingBlocks.Messaging;
using DaprOrders.Contracts;
using DaprOrders.EndToEnd.Tests.Infrastructure;
using inventory::DaprOrders.Inventory.Telemetry;
using ordering::DaprOrders.Ordering.Telemetry;

namespace DaprOrders.EndToEnd.Tests.Observability;

/// <summary>
/// The instruments of the system record what happened in a few sagas (an in-process MeterListener stands in for the
/// OTLP exporter), and the dashboard and alert rules read only metrics those instruments become in Prometheus.
/// </summary>
public sealed class MetricsTests(SagaMetricsFixture run) : IClassFixture<SagaMetricsFixture>
{
    [Fact]
    public void Ordering_counts_orders_by_outcome_and_times_each_saga_to_its_terminal_status()
    {
        Assert.Equal(3, Sum(OrderingMetrics.Submitted));
        Assert.Equal(2, Sum(OrderingMetrics.Completed));
        var cancelled = Assert.Single(run.Metrics.Of(OrderingMetrics.Cancelled));
        Assert.Equal("out-of-stock", cancelled.Tag("reason"));

        var sagas = run.Metrics.Of(OrderingMetrics.SagaDuration);
        Assert.Equal(["cancelled", "completed", "completed"], sagas.Select(s => s.Tag("outcome")).Order(StringComparer.Ordinal));
        Assert.All(sagas, s => Assert.InRange(s.Value, 0, 300));
    }

    [Fact]
    public void Every_topic_handler_records_its_duration_and_outcome()
    {
        var handled = run.Metrics.Of(MessagingTelemetry.HandlerDuration);
        Assert.All(handled, h => Assert.Equal("pubsub", h.Tag("pubsub")));
        Assert.All(handled, h => Assert.Contains(h.Tag("outcome"), new[] { "success", "retry", "drop", "error" }));
        foreach (var topic in new[] { Topics.OrderCreated, Topics.StockReserved, Topics.PaymentRequested, Topics.PaymentSucceeded, Topics.OrderCompleted, Topics.NotificationSent, Topics.DeadLetters })
        {
            Assert.Contains(handled, h => h.Tag("topic") == topic && h.Tag("outcome") == "success");
        }

        Assert.Contains(handled, h => h.Tag("event_type") == EventTypes.OrderCompleted);
        Assert.All(handled, h => Assert.InRange(h.Value, 0, 60));
    }

    [Fact]
    public void A_transient_payment_failure_is_counted_as_a_retry_and_its_redelivery_as_one()
    {
        var handled = run.Metrics.Of(MessagingTelemetry.HandlerDuration);
        Assert.Contains(handled, h => h.Tag("topic") == Topics.PaymentRequested && h.Tag("event_type") == EventTypes.PaymentRequested
            && h.Tag("outcome") is "retry" or "error");
        Assert.Contains(run.Metrics.Of(MessagingTelemetry.Redeliveries), r => r.Tag("topic") == Topics.PaymentRequested && r.Tag("event_type") == EventTypes.PaymentRequested);
    }

    [Fact]
    public void Audit_counts_dead_letters_received_and_replayed()
    {
        Assert.Contains(run.Metrics.Of(AuditMetrics.DeadLettersReceived), d => d.Tag("topic") == Topics.OrderCreated && d.Tag("event_type") == EventTypes.OrderCreated);
        var replayed = Assert.Single(run.Metrics.Of(AuditMetrics.DeadLettersReplayed));
        Assert.Equal((Topics.OrderCreated, EventTypes.OrderCreated), (replayed.Tag("topic"), replayed.Tag("event_type")));
    }

    [Fact]
    public void Inventory_reports_the_last_known_available_stock_per_sku()
    {
        foreach (var (sku, available) in run.FinalStock)
        {
            var latest = run.Metrics.Of(InventoryMetrics.Available).Last(m => m.Tag("sku") == sku);
            Assert.Equal(available, latest.Value);
        }
    }

    [Fact]
    public void The_dashboard_queries_only_metrics_the_services_emit_or_daprd_exposes()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(ObservabilityFiles.Dashboard));
        var queried = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .SelectMany(t => PromQlMetrics.In(t.GetProperty("expr").GetString()!))
            .ToHashSet(StringComparer.Ordinal);

        AssertEmitted(queried);
        // The panels the dashboard promises.
        Assert.Contains("daprorders_saga_duration_seconds_bucket", queried);
        Assert.Contains("daprorders_inventory_stock_available", queried);
        Assert.Contains("daprorders_deadletters_received_total", queried);
        Assert.Contains("up", queried);
    }

    [Fact]
    public void The_alert_rules_read_only_metrics_the_services_emit_or_daprd_exposes()
    {
        var read = PromQlMetrics.RuleExpressions(File.ReadAllText(ObservabilityFiles.AlertRules))
            .SelectMany(PromQlMetrics.In)
            .ToHashSet(StringComparer.Ordinal);

        AssertEmitted(read);
        Assert.Contains("daprorders_pubsub_handler_duration_seconds_count", read);
    }

    private void AssertEmitted(IReadOnlySet<string> metrics)
    {
        var emitted = run.Metrics.Instruments.SelectMany(PrometheusNames.Of).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(metrics);
        Assert.All(metrics, m => Assert.True(emitted.Contains(m) || PromQlMetrics.DaprSidecarMetrics.Contains(m),
            $"{m} is neither the Prometheus name of an instrument ({string.Join(", ", emitted.Order(StringComparer.Ordinal))}) nor a listed daprd metric"));
    }

    private double Sum(string instrument) => run.Metrics.Of(instrument).Sum(m => m.Value);
}

/// <summary>
/// Runs once for <see cref="MetricsTests"/>: a completed order whose first charge attempt fails transiently (RETRY and
/// a redelivery), an order cancelled for lack of stock, and an order whose order.created is dead-lettered for
/// Inventory and completes once replayed.
/// </summary>
public sealed class SagaMetricsFixture : IAsyncLifetime
{
    private OrderSystem? _system;

    internal MetricRecorder Metrics { get; } = new();

    public IReadOnlyDictionary<string, int> FinalStock { get; private set; } = new Dictionary<string, int>();

    public async Task InitializeAsync()
    {
        var system = _system = await OrderSystem.StartAsync();
        var flakySku = TestOrders.NewSku();
        var scarceSku = TestOrders.NewSku();
        var poisonSku = TestOrders.NewSku();
        await system.SetStockAsync(flakySku, 10);
        await system.SetStockAsync(scarceSku, 1);
        await system.SetStockAsync(poisonSku, 5);

        // Payment answers the first delivery of payment.requested with a retry; the quiesce loop moves the clock to the retry.
        var flaky = await system.SubmitAsync(TestOrders.Order(TestOrders.FlakyCustomer(1), (flakySku, 1, 1500)));
        await Eventually.UntilAsync(() => Task.FromResult(system.Broker.PendingRetries - system.Broker.InBulkWindows), n => n > 0,
            "the payment retry to be scheduled");
        await system.QuiesceAsync();
        Assert.Equal("Completed", (await system.WaitForTerminalAsync(flaky)).Status);

        var scarce = await system.SubmitAsync(TestOrders.Order(TestOrders.Customer(), (scarceSku, 2, 1500)));
        Assert.Equal("Cancelled", (await system.WaitForTerminalAsync(scarce)).Status);

        string poisoned;
        using (system.Faults.Fail(appId: AppIds.Inventory, topic: Topics.OrderCreated))
        {
            poisoned = await system.SubmitAsync(TestOrders.Order(TestOrders.Customer(), (poisonSku, 2, 1500)));
            await system.AdvanceClockUntilAsync(
                async () => (await system.FindDeadLetterAsync(poisoned, EventTypes.OrderCreated)) is not null,
                TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), "order.created reaching Audit's dead letters");
        }

        await system.ReplayDeadLetterAsync((await system.FindDeadLetterAsync(poisoned, EventTypes.OrderCreated))!);
        Assert.Equal("Completed", (await system.WaitForTerminalAsync(poisoned)).Status);
        await system.QuiesceAsync();

        FinalStock = new Dictionary<string, int>
        {
            [flakySku] = (await system.GetStockAsync(flakySku)).Available,
            [scarceSku] = (await system.GetStockAsync(scarceSku)).Available,
            [poisonSku] = (await system.GetStockAsync(poisonSku)).Available,
        };
        Metrics.CollectObservables();
    }

    public async Task DisposeAsync()
    {
        Metrics.Dispose();
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }
    }
}

/// <summary>The observability files the chart ships.</summary>
internal static class ObservabilityFiles
{
    private static readonly string Root = Path.Combine(RepositoryRoot.Path, "charts", "dapr-orders", "files", "observability");

    public static string Dashboard => Path.Combine(Root, "dashboards", "daprorders-overview.json");

    public static string AlertRules => Path.Combine(Root, "alert-rules.yml");

    public static string Documentation => Path.Combine(RepositoryRoot.Path, "docs", "observability.md");
}
