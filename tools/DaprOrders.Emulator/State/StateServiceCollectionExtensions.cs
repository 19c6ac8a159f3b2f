using DaprOrders.Emulator.Hosting;
using DaprOrders.Emulator.Resources;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.Emulator.State;

internal static class StateServiceCollectionExtensions
{
    public static IServiceCollection AddEmulatorState(this IServiceCollection services)
    {
        services.AddSingleton<StateStoreRegistry>();
        services.AddSingleton<StateBuildingBlock>();
        services.AddSingleton<TransactionalOutbox>();
        services.AddSingleton<ISidecarApi, StateApi>();
        services.AddSingleton<ISidecarMetadataContributor, ComponentsMetadataContributor>();
        return services;
    }
}
