using DaprOrders.BuildingBlocks;
using DaprOrders.Contracts;
using DaprOrders.Ordering;
using DaprOrders.Ordering.Api;
using DaprOrders.Ordering.Index;
using DaprOrders.Ordering.Intake;
using DaprOrders.Ordering.Orders;
using DaprOrders.Ordering.Saga;
using DaprOrders.Ordering.Telemetry;
using DaprOrders.ServiceDefaults;
using DaprOrders.Sidecar;
using DaprOrders.Sidecar.AppCallbacks;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();

builder.Services.ConfigureHttpJsonOptions(json =>
{
    json.SerializerOptions.TypeInfoResolverChain.Insert(0, OrderingJsonContext.Default);
    json.SerializerOptions.TypeInfoResolverChain.Insert(1, ContractsJsonContext.Default);
});

builder.Services.AddDaprSidecar();
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
builder.Services.AddTransient<OrderStore>();
builder.Services.AddSingleton<SubmissionTracker>();
builder.Services.AddSingleton<OrderingMetrics>();
builder.Services.AddSingleton<OrderIndexWriter>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<OrderIndexWriter>());

var app = builder.Build();
app.UseServiceDefaults();
app.UseRateLimiter();

app.MapDaprSubscribeHandler();
// Until Ordering's subscriptions move to AddDaprApp's token policy, its actor routes take the Sidecar library's token
// check; the SDK's composite endpoint builder has no Finally(), so the check goes on a group around them.
app.MapGroup(string.Empty).RequireDaprAppToken().MapActorsHandlers().AnswerUnservableActorCalls();
app.MapOrderApi();
app.MapSagaEvents();

app.Run();

/// <summary>Entry point; public so tests can host the service with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
