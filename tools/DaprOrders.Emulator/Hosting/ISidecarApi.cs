using Microsoft.AspNetCore.Routing;

namespace DaprOrders.Emulator.Hosting;

/// <summary>
/// One Dapr building block's HTTP API (pub/sub, state, actors, ...). Each app's sidecar endpoint maps every module,
/// so a module sees which app is calling through the <see cref="AppSidecar"/> it is mapped for.
/// </summary>
public interface ISidecarApi
{
    void Map(IEndpointRouteBuilder routes, AppSidecar sidecar);
}

/// <summary>
/// Work daprd does once the app's port is open, in daprd's order: actors read GET /dapr/config before
/// subscriptions read GET /dapr/subscribe (dapr/dapr release-1.17 pkg/runtime/runtime.go). Lower <see cref="Order"/> runs first.
/// </summary>
public interface IAppConnectionParticipant
{
    int Order { get; }

    Task OnAppConnectedAsync(AppSidecar sidecar, CancellationToken cancellationToken);

    /// <summary>The app went away (stopped or restarted): stop delivering to it.</summary>
    Task OnAppDisconnectedAsync(AppSidecar sidecar, CancellationToken cancellationToken);
}
