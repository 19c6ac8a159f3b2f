using Dapr.Client.Autogen.Grpc.v1;
using DaprOrders.Emulator.Hosting;
using DaprOrders.Emulator.PubSub;
using DaprOrders.Emulator.State;
using Grpc.AspNetCore.Server.Model;
using Grpc.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.Emulator.Grpc;

/// <summary>Puts the gRPC door into one sidecar's web host: the Dapr service, daprd's token check and server reflection.</summary>
internal static class DaprGrpcHosting
{
    public static IServiceCollection AddDaprGrpcApi(this IServiceCollection services, AppSidecar sidecar, IServiceProvider emulator)
    {
        services.AddSingleton(sidecar);
        services.AddSingleton(new DaprGrpcApi(sidecar, emulator.GetRequiredService<StateBuildingBlock>(),
            emulator.GetRequiredService<PubSubPublisher>(), emulator.GetRequiredService<SidecarMetadata>()));
        services.AddGrpc(options =>
        {
            options.Interceptors.Add<DaprApiTokenInterceptor>();
            // daprd's default max request body size (4 MiB) bounds gRPC messages too.
            options.MaxReceiveMessageSize = 4 * 1024 * 1024;
        });
        services.AddSingleton<IServiceMethodProvider<DaprGrpcApi>, DaprServiceMethodProvider>();
        // daprd registers gRPC reflection on its API server; the SDK's bulk publish asks it (grpc.reflection.v1) which
        // methods exist. Registered before AddGrpcReflection, which would otherwise look for a generated server base
        // class to describe, and Dapr.Protos has none.
        Google.Protobuf.Reflection.ServiceDescriptor[] described =
        [
            DaprServiceMethodProvider.Service,
            global::Grpc.Reflection.V1.ServerReflection.Descriptor,
            global::Grpc.Reflection.V1Alpha.ServerReflection.Descriptor,
        ];
        services.AddSingleton(new ReflectionV1ServiceImpl(described));
        services.AddSingleton(new ReflectionServiceImpl(described));
        services.AddGrpcReflection();
        return services;
    }

    public static IEndpointRouteBuilder MapDaprGrpcApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGrpcService<DaprGrpcApi>();
        routes.MapGrpcReflectionService();
        return routes;
    }
}
