using Dapr.Actors.Client;
using Dapr.Actors.Runtime;
using DaprOrders.BuildingBlocks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DaprOrders.Testing;

/// <summary>For services that host or call actors (linked into their test projects only: it needs Dapr.Actors).</summary>
public static class ActorProxyFaults
{
    /// <summary>The service's actor proxies, configured as <c>AddDaprActors()</c> configures them, behind <paramref name="faults"/>.</summary>
    public static void AddActorProxies(this SidecarFaults faults, IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(faults);
        services.AddSingleton<IActorProxyFactory>(sp =>
        {
            var configuration = sp.GetRequiredService<IConfiguration>();
            var actors = sp.GetRequiredService<IOptions<ActorRuntimeOptions>>().Value;
            return new ActorProxyFactory(new ActorProxyOptions
            {
                HttpEndpoint = configuration["DAPR_HTTP_ENDPOINT"]!,
                DaprApiToken = configuration["DAPR_API_TOKEN"]!,
                JsonSerializerOptions = actors.JsonSerializerOptions,
                UseJsonSerialization = actors.UseJsonSerialization,
            }, faults.Around(new SocketsHttpHandler()));
        });
    }

    /// <summary>The service's <see cref="ActorReminderClient"/>, configured as <c>AddDaprActors()</c> configures it, behind <paramref name="faults"/>.</summary>
    public static void AddActorReminders(this SidecarFaults faults, IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(faults);
        services.AddSingleton(sp =>
        {
            var configuration = sp.GetRequiredService<IConfiguration>();
            return ActorReminderClient.Create(new Uri(configuration["DAPR_HTTP_ENDPOINT"]!), configuration["DAPR_API_TOKEN"],
                faults.Around(new SocketsHttpHandler()));
        });
    }
}
