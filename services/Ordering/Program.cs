using DaprOrders.Contracts;
using DaprOrders.Ordering;
using DaprOrders.Ordering.Api;
using DaprOrders.Ordering.Index;
using DaprOrders.Ordering.Intake;
using DaprOrders.Ordering.Orders;
using DaprOrders.Ordering.Saga;
using DaprOrders.Ordering.Telemetry;
using DaprOrders.ServiceDefaults;
using Dapr.Actors.Runtime;
using DaprOrders.Sidecar;
using DaprOrders.Sidecar.AppCallbacks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();

builder.Services.ConfigureHttpJsonOptions(json =>
{
    json.SerializerOptions.TypeInfoResolverChain.Insert(0, OrderingJsonContext.Default);
    json.SerializerOptions.TypeInfoResolverChain.Insert(1, ContractsJsonContext.Default);
});

builder.Services.AddDaprSidecar();
var saga = builder.Configuration.GetSection(SagaOptions.Section).Get<SagaOptions>() ?? new SagaOptions();
builder.Services.AddActors(actors =>
{
    actors.Actors.RegisterActor<OrderProcessActor>();
    actors.ActorIdleTimeout = saga.ActorIdleTimeout;
    // JSON on the wire (typed proxies included), so apps in other languages can call and read the actor.
    actors.UseJsonSerialization = true;
});
// Actor state and method arguments use the app's JSON options (its source-generated contexts and naming).
builder.Services.AddOptions<ActorRuntimeOptions>()
    .Configure<IOptions<JsonOptions>>((actors, json) => actors.JsonSerializerOptions = json.Value.SerializerOptions);
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
// The SDK's composite endpoint builder has no Finally(): the token check goes on a group around the actor routes.
app.MapGroup(string.Empty).RequireDaprAppToken().MapActorsHandlers();
app.MapOrderApi();
app.MapSagaEvents();

app.Run();

/// <summary>Entry point; public so tests can host the service with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
