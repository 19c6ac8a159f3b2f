using Dapr.Client;
using DaprOrders.Inventory.Catalog;
using DaprOrders.Inventory.Stock;
using Microsoft.Extensions.Options;

namespace DaprOrders.Inventory.Seeding;

/// <summary>
/// Stocks the demo SKUs once the sidecar is up. Runs in the background: daprd only finishes starting (and registers
/// the actor types) after the app listens, so waiting for it during startup would deadlock.
/// </summary>
public sealed partial class DemoStockSeeder(
    IOptions<InventoryOptions> options,
    DaprClient dapr,
    StockActors stock,
    SkuCatalog catalog,
    TimeProvider timeProvider,
    ILogger<DemoStockSeeder> logger) : BackgroundService
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.SeedDemoStock)
        {
            return;
        }

        using var deadline = new CancellationTokenSource(settings.SeedTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, deadline.Token);
        try
        {
            await dapr.WaitForSidecarAsync(linked.Token);
            while (true)
            {
                try
                {
                    foreach (var sku in InventoryOptions.DemoSkus)
                    {
                        // The actor decides "not stocked yet" inside its turn: no read-then-write race with an operator.
                        await stock.For(sku).InitializeAsync(settings.DemoStockQuantity, linked.Token);
                        await catalog.AddAsync(sku, linked.Token);
                    }

                    LogSeeded(logger, InventoryOptions.DemoSkus.Count, settings.DemoStockQuantity);
                    return;
                }
                catch (Exception ex) when (ex is Dapr.DaprApiException or HttpRequestException)
                {
                    // Typically actor placement not ready yet right after start.
                    LogNotYet(logger, ex.Message);
                }

                await Task.Delay(RetryInterval, timeProvider, linked.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            LogGaveUp(logger, settings.SeedTimeout);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutting down.
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Demo stock seeded: {SkuCount} SKUs with {Quantity} units each (SKUs already stocked were left alone)")]
    private static partial void LogSeeded(ILogger logger, int skuCount, int quantity);

    [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "Demo stock not seeded yet: {Reason}")]
    private static partial void LogNotYet(ILogger logger, string reason);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "Gave up seeding demo stock after {Timeout}")]
    private static partial void LogGaveUp(ILogger logger, TimeSpan timeout);
}
