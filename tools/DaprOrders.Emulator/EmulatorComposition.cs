using DaprOrders.Emulator.Actors;
using DaprOrders.Emulator.Diagnostics;
using DaprOrders.Emulator.Hosting;
using DaprOrders.Emulator.Invocation;
using DaprOrders.Emulator.PubSub;
using DaprOrders.Emulator.Resiliency;
using DaprOrders.Emulator.State;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.Emulator;

/// <summary>The building blocks every emulated sidecar serves. Each block registers its APIs and participants here.</summary>
internal static class EmulatorComposition
{
    public static IServiceCollection AddEmulatorBuildingBlocks(this IServiceCollection services)
    {
        services.AddSingleton<ISidecarApi, HealthApi>();
        services.AddSingleton<SidecarMetadata>();
        services.AddSingleton<ISidecarApi, MetadataApi>();
        services.AddSingleton<ExchangeLedger>();
        services.AddSingleton<ISidecarApi, ExchangesApi>();
        // Building blocks: one line each.
        services.AddEmulatorResiliency();
        services.AddEmulatorState();
        services.AddEmulatorPubSub();
        services.AddEmulatorServiceInvocation();
        services.AddEmulatorActors();
        return services;
    }
}
