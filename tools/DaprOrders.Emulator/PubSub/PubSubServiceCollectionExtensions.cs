using DaprOrders.Emulator.Faults;
using DaprOrders.Emulator.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.Emulator.PubSub;

internal static class PubSubServiceCollectionExtensions
{
    public static IServiceCollection AddEmulatorPubSub(this IServiceCollection services)
    {
        services.AddSingleton<PubSubComponents>();
        services.AddSingleton<PubSubBroker>();
        services.AddSingleton<PubSubPublisher>();
        services.AddSingleton<FaultInjection>();
        services.AddSingleton<PubSubSubscriber>();
        services.AddSingleton<IAppConnectionParticipant>(sp => sp.GetRequiredService<PubSubSubscriber>());
        services.AddSingleton<ISidecarMetadataContributor>(sp => sp.GetRequiredService<PubSubSubscriber>());
        services.AddSingleton<ISidecarApi, PubSubApi>();
        return services;
    }
}
