using System.Text.Json.Serialization;
using Dapr.Client;
using DaprOrders.BuildingBlocks;
using DaprOrders.BuildingBlocks.State;
using DaprOrders.Contracts;
using DaprOrders.Ordering;
using DaprOrders.Ordering.Api;
using DaprOrders.Ordering.Index;
using DaprOrders.Ordering.Intake;
using DaprOrders.Ordering.Orders;
using DaprOrders.Ordering.Saga;
using DaprOrders.Ordering.Telemetry;
using DaprOrders.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();

builder.Services.ConfigureHttpJsonOptions(json =>
{
    // Same shape as the contracts and the stored documents: optional members are omitted rather than written as null.
    json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
    json.SerializerOptions.TypeInfoResolverChain.Insert(0, OrderingJsonContext.Default);
    json.SerializerOptions.TypeInfoResolverChain.Insert(1, ContractsJsonContext.Default);
});
builder.AddDaprApp();
var saga = builder.Configuration.GetSection(SagaOptions.Section).Get<SagaOptions>() ?? new SagaOptions();
builder.AddDaprActors(actors =>
{
    actors.Actors.RegisterActor<OrderProcessActor>();
    actors.ActorIdleTimeout = saga.ActorIdleTimeout;
});
builder.Services.AddOptions<IntakeOptions>().BindConfiguration(IntakeOptions.Section);
builder.Services.AddOptions<SagaOptions>().BindConfiguration(SagaOptions.Section);
builder.Services.AddOptions<OrderIndexOptions>().BindConfiguration(OrderIndexOptions.Section);
builder.Services.AddApiRateLimiting(builder.Configuration);
builder.Services.AddSingleton(services => new ETaggedStateStore<OrderDocument>(services.GetRequiredService<DaprClient>(), OrderStore.StoreName));
builder.Services.AddSingleton<OrderStore>();
builder.Services.AddSingleton<SubmissionTracker>();
builder.Services.AddSingleton<OrderingMetrics>();
builder.Services.AddSingleton<OrderIndexWriter>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<OrderIndexWriter>());

var app = builder.Build();
app.UseServiceDefaults();
app.UseDaprApp();
app.UseRateLimiter();
app.MapSubscribeHandler().RequireDaprApp();
app.MapDaprActors();
app.MapOrderApi();
app.MapSagaEvents();

app.Run();

/// <summary>Entry point; public so tests can host the service with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
