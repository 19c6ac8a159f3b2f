using System.Text.Json;
using DaprOrders.Emulator.Diagnostics;
using DaprOrders.Emulator.Hosting;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Emulator.Actors;

/// <summary>
/// Reads GET /dapr/config once the app's port is open, before subscriptions (daprd's order), and places the actor
/// types the app declares. Any answer but 200 means "no actors" (dapr/dapr release-1.17 pkg/actors/targets/app/app.go).
/// </summary>
internal sealed partial class ActorConfigLoader(ActorPlacement placement, ActorRuntime runtime, ILogger<ActorConfigLoader> logger)
    : IAppConnectionParticipant
{
    public int Order => 10;

    public async Task OnAppConnectedAsync(AppSidecar sidecar, CancellationToken cancellationToken)
    {
        var config = sidecar.AppChannel is { } channel
            ? await ReadConfigAsync(sidecar, channel, cancellationToken)
            : ActorHostConfig.None;
        foreach (var warning in config.Warnings)
        {
            LogConfigWarning(sidecar.AppId, warning);
        }

        placement.Register(sidecar, config);
        if (config.Types.Count > 0)
        {
            LogActorTypes(sidecar.AppId, string.Join(", ", config.Types.Select(t => t.ActorType)));
        }
    }

    public Task OnAppDisconnectedAsync(AppSidecar sidecar, CancellationToken cancellationToken)
    {
        // daprd unregisters the types of an app that went away; reminders stay stored and fire once a host is back.
        placement.Unregister(sidecar.AppId);
        runtime.DropApp(sidecar.AppId);
        return Task.CompletedTask;
    }

    private async Task<ActorHostConfig> ReadConfigAsync(AppSidecar sidecar, HttpClient channel, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dapr/config");
        request.Headers.Add("dapr-app-id", sidecar.AppId);
        request.Content = new ByteArrayContent([]);
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        try
        {
            sidecar.Exchanges.CountDelivery(AppDelivery.ConfigProbe);
            using var response = await channel.SendAsync(request, cancellationToken);
            if ((int)response.StatusCode != 200)
            {
                LogNoActors(sidecar.AppId, (int)response.StatusCode);
                return ActorHostConfig.None;
            }

            return ActorHostConfig.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken));
        }
        catch (HttpRequestException ex)
        {
            LogConfigFailed(ex, sidecar.AppId);
            return ActorHostConfig.None;
        }
        catch (JsonException ex)
        {
            LogConfigFailed(ex, sidecar.AppId);
            return ActorHostConfig.None;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "App {AppId} hosts actor types {ActorTypes}")]
    private partial void LogActorTypes(string appId, string actorTypes);

    [LoggerMessage(Level = LogLevel.Debug, Message = "App {AppId} answered GET /dapr/config with {StatusCode}: no actors")]
    private partial void LogNoActors(string appId, int statusCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "App {AppId} actor configuration: {Warning}")]
    private partial void LogConfigWarning(string appId, string warning);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading GET /dapr/config from app {AppId} failed: no actors")]
    private partial void LogConfigFailed(Exception exception, string appId);
}
