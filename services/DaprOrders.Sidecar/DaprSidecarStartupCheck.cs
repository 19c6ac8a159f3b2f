using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Sidecar;

/// <summary>Completes when the startup check saw the sidecar ready; inject it where work must wait for Dapr.</summary>
public sealed class DaprSidecarReadiness
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsReady => _ready.Task.IsCompletedSuccessfully;

    /// <summary>Completes on readiness; faults with <see cref="DaprSidecarUnavailableException"/> when the check gave up.</summary>
    public Task WhenReady => _ready.Task;

    internal void MarkReady() => _ready.TrySetResult();

    internal void MarkFailed(Exception error) => _ready.TrySetException(error);
}

/// <summary>
/// Background startup check: runs <see cref="DaprSidecarClient.WaitForSidecarAsync"/> without delaying Kestrel (daprd
/// needs the app port open before it finishes its own start), then stops the host with a clear error if the sidecar
/// never became ready.
/// </summary>
internal sealed partial class DaprSidecarStartupCheck(
    IServiceProvider services,
    DaprSidecarReadiness readiness,
    IHostApplicationLifetime lifetime,
    ILogger<DaprSidecarStartupCheck> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var client = services.GetRequiredService<DaprSidecarClient>();
        try
        {
            await client.WaitForSidecarAsync(stoppingToken);
            readiness.MarkReady();
        }
        catch (DaprSidecarUnavailableException ex)
        {
            readiness.MarkFailed(ex);
            LogGaveUp(logger, ex);
            lifetime.StopApplication();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            readiness.MarkFailed(new OperationCanceledException("Host stopped before the Dapr sidecar was ready."));
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Critical, Message = "Stopping: the Dapr sidecar never became ready")]
    private static partial void LogGaveUp(ILogger logger, Exception exception);
}
