using Dapr.Actors.Runtime;
using Dapr.Client;
using DaprOrders.BuildingBlocks;
using DaprOrders.BuildingBlocks.State;
using DaprOrders.Contracts;
using DaprOrders.Ordering.Api;
using DaprOrders.Ordering.Index;
using DaprOrders.Ordering.Intake;
using DaprOrders.Ordering.Orders;
using DaprOrders.Ordering.Saga;
using DaprOrders.Ordering.Telemetry;
using DaprOrders.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace DaprOrders.Ordering.Extensions;

public static class OrderingServiceExtensions
{
    /// <summary>
    /// Everything Ordering registers: the Dapr app and its OrderProcess actors (the deadlines' target), its settings
    /// (each bound once and checked at start), the API's rate limit, the order store, the saga's turns and the
    /// operations index.
    /// </summary>
    public static void AddOrderingServices(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddDaprApp(OrderingJsonContext.Default, ContractsJsonContext.Default);
        builder.AddDaprActors(actors => actors.Actors.RegisterActor<OrderProcessActor>());
        builder.Services.AddOptions<ActorRuntimeOptions>()
            .Configure<IOptions<SagaOptions>>((actors, saga) => actors.ActorIdleTimeout = saga.Value.ActorIdleTimeout);

        builder.Services.AddValidatedOptions<IntakeOptions, IntakeOptionsValidator>(IntakeOptions.SectionName);
        builder.Services.AddValidatedOptions<SagaOptions, SagaOptionsValidator>(SagaOptions.SectionName);
        builder.Services.AddValidatedOptions<OrderIndexOptions, OrderIndexOptionsValidator>(OrderIndexOptions.SectionName);
        builder.Services.AddApiRateLimiting();

        builder.Services.AddSingleton(sp => new ETaggedStateStore<OrderDocument>(sp.GetRequiredService<DaprClient>(), OrderStore.StoreName));
        builder.Services.AddSingleton<OrderStore>();
        builder.Services.AddSingleton<OrderDeadline>();
        builder.Services.AddSingleton<OrderSagaTurns>();
        builder.Services.AddSingleton<SubmissionTracker>();
        builder.Services.AddSingleton<OrderingMetrics>();
        builder.Services.AddSingleton<OrderIndexWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OrderIndexWriter>());
    }
}
