using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.Emulator.Resiliency;

internal static class ResiliencyServiceCollectionExtensions
{
    public static IServiceCollection AddEmulatorResiliency(this IServiceCollection services) =>
        services.AddSingleton<ResiliencyPolicies>();
}
