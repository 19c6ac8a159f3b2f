using DaprOrders.Emulator.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.Emulator.Actors;

internal static class ActorsServiceCollectionExtensions
{
    public static IServiceCollection AddEmulatorActors(this IServiceCollection services)
    {
        services.AddSingleton<ActorPlacement>();
        services.AddSingleton<ActorRuntime>();
        services.AddSingleton<ActorReminders>();
        services.AddSingleton<ActorResiliency>();
        services.AddSingleton<IAppConnectionParticipant, ActorConfigLoader>();
        services.AddSingleton<ISidecarApi, ActorsApi>();
        services.AddSingleton<ISidecarMetadataContributor, ActorMetadataContributor>();
        return services;
    }
}
