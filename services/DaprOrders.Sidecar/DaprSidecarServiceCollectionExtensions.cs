using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DaprOrders.Sidecar;

public static class DaprSidecarServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="DaprSidecarClient"/> as a typed HttpClient (pooled handler from IHttpClientFactory)
    /// and <see cref="DaprSidecarOptions"/> bound from configuration (DAPR_HTTP_ENDPOINT, DAPR_HTTP_PORT,
    /// DAPR_API_TOKEN, APP_API_TOKEN, APP_ID); <paramref name="configure"/> runs afterwards and wins.
    /// </summary>
    public static IServiceCollection AddDaprSidecar(this IServiceCollection services, Action<DaprSidecarOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        // Bind from configuration once, before any caller's configure delegate, so explicit settings always win
        // even when AddDaprSidecar is reached several times (AddDaprActors calls it too).
        var alreadyRegistered = services.Any(d => d.ServiceType == typeof(DaprSidecarClient));
        if (!alreadyRegistered)
        {
            services.AddOptions<DaprSidecarOptions>()
                .Configure<IServiceProvider>((options, provider) =>
                {
                    // Hosts always register IConfiguration; a bare ServiceCollection (tests, tools) may not.
                    if (provider.GetService<IConfiguration>() is { } configuration)
                    {
                        options.BindFrom(configuration);
                    }
                });
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        if (alreadyRegistered)
        {
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AppCallbacks.DaprAppTokenVerifier>();
        // HttpClient's default 100 s timeout stays as a backstop; WaitForSidecarAsync has its own, shorter bound.
        services.AddHttpClient<DaprSidecarClient>()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // The sidecar is local: no proxy, no cookies, recycle connections now and then.
                UseProxy = false,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.None,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                // daprd never redirects; a redirect would come from something else on the port and is an error.
                AllowAutoRedirect = false,
            })
            // IHttpClientFactory's handlers log four Information lines per request; this client is on every hot
            // path. Failures surface as exceptions, which callers log.
            .RemoveAllLoggers()
            // One handler for the process: PooledConnectionLifetime already refreshes connections, and singletons
            // (the actor host) may hold a client for the app's lifetime.
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        return services;
    }

    /// <summary>
    /// Opt-in: waits in the background at startup until <c>GET /v1.0/healthz/outbound</c> answers 204, and stops
    /// the application with <see cref="DaprSidecarUnavailableException"/> when it does not within
    /// <see cref="DaprSidecarOptions.StartupTimeout"/>. It never delays Kestrel: daprd itself waits for the app
    /// port before it reports fully healthy, so blocking app start on the sidecar would deadlock.
    /// </summary>
    public static IServiceCollection AddDaprSidecarStartupCheck(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddDaprSidecar();
        services.TryAddSingleton<DaprSidecarReadiness>();
        services.AddHostedService<DaprSidecarStartupCheck>();
        return services;
    }
}
