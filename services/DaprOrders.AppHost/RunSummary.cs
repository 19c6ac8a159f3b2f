using DaprOrders.Emulator.Cli;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace DaprOrders.AppHost;

/// <summary>
/// Once every resource is healthy, prints the few URLs and the command a developer needs next; everything else is in
/// the dashboard.
/// </summary>
internal sealed class RunSummary(
    RunTemplate template,
    ResourceNotificationService notifications,
    IConfiguration configuration) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A resource that dies (a port taken, a crash) would otherwise leave the summary waiting without a word.
        _ = ReportFailuresAsync(stoppingToken);
        try
        {
            await notifications.WaitForResourceHealthyAsync(DaprRunTemplateResources.SidecarsResourceName, stoppingToken);
            foreach (var app in template.Apps)
            {
                await notifications.WaitForResourceHealthyAsync(app.AppId, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        var output = Console.Out;
        await output.WriteLineAsync("DaprOrders is up (Ctrl-C stops everything):");
        // The launch profile's applicationUrl; the login link with its token is printed above by Aspire.
        if (configuration["ASPNETCORE_URLS"] is { Length: > 0 } dashboard)
        {
            await output.WriteLineAsync($"  dashboard        {dashboard.Split(';')[0]}  (logs, traces, metrics of every app)");
        }

        foreach (var app in template.Apps.Where(a => a.AppPort is not null))
        {
            await output.WriteLineAsync($"  {app.AppId,-16} http://{app.AppChannelAddress}:{app.AppPort}  (sidecar http://{app.AppChannelAddress}:{app.DaprHttpPort})");
        }

        foreach (var page in template.Apps.Select(a => a.OperationsPageUrl).OfType<Uri>())
        {
            await output.WriteLineAsync($"  operations page  {page}");
        }

        await output.WriteLineAsync("Submit orders:     dotnet run --project tools/DaprOrders.OrderCli -- submit --count 100");
    }

    private async Task ReportFailuresAsync(CancellationToken stoppingToken)
    {
        HashSet<string> reported = [];
        try
        {
            await foreach (var update in notifications.WatchAsync(stoppingToken))
            {
                var snapshot = update.Snapshot;
                if (snapshot.State?.Text is { } state && KnownResourceStates.TerminalStates.Contains(state)
                    && snapshot.ExitCode is not 0 && reported.Add(update.Resource.Name))
                {
                    await Console.Out.WriteLineAsync(
                        $"{update.Resource.Name} stopped ({state}, exit code {snapshot.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}); its console output is in the dashboard");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
