using DaprOrders.Contracts;
using DaprOrders.EndToEnd.Tests.Infrastructure;
using DaprOrders.Emulator.Diagnostics;
using DaprOrders.Emulator.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.EndToEnd.Tests;

/// <summary>
/// What one order costs in app↔sidecar exchanges (issue 20; docs/saga.md, "Exchanges per order"): every call an app
/// makes to its sidecar and every delivery its sidecar makes into it, counted by the emulator. The table is exact, so a
/// change that adds or removes an exchange fails here and is updated on purpose, together with docs/saga.md.
/// </summary>
public sealed class ExchangeCountTests(ITestOutputHelper output)
{
    /// <summary>One completed order, alone on the system: app, direction, API, method, transport, count.</summary>
    private const string OneCompletedOrder = """
        audit call state bulk-get grpc 6
        audit call state get grpc 1
        audit call state save grpc 7
        audit delivery pubsub bulk http 6
        inventory call actors invoke http 1
        inventory call actors state-transaction http 1
        inventory call publish event grpc 1
        inventory call state save grpc 1
        inventory delivery actors method http 1
        inventory delivery pubsub event http 1
        notification call publish event grpc 1
        notification call state get grpc 1
        notification call state save grpc 1
        notification call state transaction grpc 1
        notification delivery pubsub event http 1
        ordering call publish event grpc 2
        ordering call reminders create http 1
        ordering call reminders delete http 1
        ordering call state get grpc 4
        ordering call state save grpc 3
        ordering call state transaction grpc 1
        ordering delivery pubsub event http 2
        payment call publish event grpc 1
        payment call state get grpc 1
        payment call state save grpc 1
        payment delivery pubsub event http 1
        TOTAL 49
        """;

    [Fact]
    public async Task One_completed_order_costs_exactly_the_pinned_exchanges_per_app_and_api()
    {
        await using var system = await OrderSystem.StartAsync(o =>
        {
            o.Output = output;
            // The view documents (order index, recent events, recent notifications) are written in batches: under
            // load one read and one write per flush interval are shared by many orders. An hour keeps every later
            // batch out of the measurement, so exactly the first batch of each (this order's) is counted.
            o.Set("ordering", "Ordering:Index:FlushInterval", "01:00:00");
            o.Set("audit", "Audit:RecentFlushInterval", "01:00:00");
            o.Set("notification", "Notification:RecentFlushInterval", "01:00:00");
            // Audit's timeline writer commits whatever deliveries are waiting together. For one order on a busy
            // machine two of its events could share a commit or not; one delivery at a time makes it one commit each.
            o.AddStartupFilter("audit", new OneDeliveryAtATime());
        });
        var sku = TestOrders.NewSku();
        await system.SetStockAsync(sku, 10);
        await system.QuiesceAsync();
        var ledger = system.Emulator.Services.GetRequiredService<ExchangeLedger>();
        var before = ledger.Snapshot();

        var orderId = await system.SubmitAsync(TestOrders.Order(TestOrders.Customer(), (sku, 1, 1500)));

        // Settled without asking any service (a question to a service would be exchanges of its own): Audit took the
        // last event (its bulk windows flushed on the clock), nothing is queued, in delivery or waiting for a retry, and
        // each view document's first batch is stored.
        await system.QuiesceAsync();
        await Eventually.UntilAsync(
            () => Task.FromResult(system.Deliveries.To("audit").Any(d => d.OrderId == orderId && d.Type == EventTypes.NotificationSent)),
            "notification.sent delivered to audit");
        await system.QuiesceAsync();
        var stores = system.Emulator.Services.GetRequiredService<StateStoreRegistry>();
        await Eventually.UntilAsync(
            () => Task.FromResult(ViewDocumentsStored(stores)),
            "the first batch of each view document stored");
        await system.QuiesceAsync();
        var counted = Table(Delta(before, ledger.Snapshot()));
        output.WriteLine(counted);

        Assert.Equal("Completed", (await system.GetOrderAsync(orderId)).Status);
        // Each event once (bulk windows of different topics flush in no particular order).
        Assert.Equal(
            new[] { EventTypes.OrderCreated, EventTypes.StockReserved, EventTypes.PaymentRequested, EventTypes.PaymentSucceeded,
                EventTypes.OrderCompleted, EventTypes.NotificationSent }.Order(StringComparer.Ordinal),
            (await system.GetAuditTimelineTypesAsync(orderId)).Order(StringComparer.Ordinal));
        Assert.Equal(OneCompletedOrder, counted);
    }

    private static bool ViewDocumentsStored(StateStoreRegistry stores) =>
        IsStored(stores, "ordering", "orderstore", "orders-index")
        && IsStored(stores, "audit", "statestore", "audit-recent")
        && IsStored(stores, "notification", "statestore", "notification-recent");

    private static bool IsStored(StateStoreRegistry stores, string appId, string storeName, string key)
    {
        var store = stores.Find(appId, storeName) ?? throw new InvalidOperationException($"no state store {storeName} for {appId}");
        return store.Store.Get(store.PhysicalKey(appId, key)) is not null;
    }

    private static List<ExchangeCount> Delta(IReadOnlyList<ExchangeCount> before, IReadOnlyList<ExchangeCount> after)
    {
        var start = before.ToDictionary(c => (c.AppId, c.Direction, c.Api, c.Method, c.Transport), c => c.Count);
        return
        [
            .. after.Select(c => c with { Count = c.Count - start.GetValueOrDefault((c.AppId, c.Direction, c.Api, c.Method, c.Transport)) })
                .Where(c => c.Count > 0),
        ];
    }

    private static string Table(List<ExchangeCount> counts) =>
        string.Join('\n', counts.Select(c => $"{c.AppId} {c.Direction} {c.Api} {c.Method} {c.Transport} {c.Count}")
            .Append($"TOTAL {counts.Sum(c => c.Count)}"));

    /// <summary>Lets one pub/sub delivery at a time into the app's pipeline (deliveries are what daprd marks with pubsubname).</summary>
    private sealed class OneDeliveryAtATime : IStartupFilter
    {
        private readonly SemaphoreSlim _gate = new(1, 1);

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (!HttpMethods.IsPost(context.Request.Method) || !context.Request.Headers.ContainsKey("pubsubname"))
                {
                    await nextMiddleware(context);
                    return;
                }

                await _gate.WaitAsync(context.RequestAborted);
                try
                {
                    await nextMiddleware(context);
                }
                finally
                {
                    _gate.Release();
                }
            });
            next(app);
        };
    }
}
