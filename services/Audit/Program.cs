using System.Text.Json.Serialization;
using DaprOrders.Audit;
using DaprOrders.Audit.Api;
using DaprOrders.Audit.DeadLetters;
using DaprOrders.Audit.Operations;
using DaprOrders.Audit.Telemetry;
using DaprOrders.Audit.Timeline;
using DaprOrders.BuildingBlocks;
using DaprOrders.Contracts;
using DaprOrders.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.ConfigureHttpJsonOptions(o =>
{
    // One serializer setup for the API, state and events (DaprClient uses this object): optional members are omitted
    // rather than written as null, as in the contracts.
    o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
    o.SerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default);
    o.SerializerOptions.TypeInfoResolverChain.Insert(1, AuditJsonContext.Default);
});
builder.AddDaprApp();

builder.Services.AddOptions<AuditOptions>()
    .BindConfiguration(AuditOptions.SectionName)
    .ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<AuditOptions>, AuditOptionsValidator>();
builder.Services.TryAddSingleton(TimeProvider.System);

builder.Services.AddSingleton<AuditStore>();
builder.Services.AddSingleton<AuditRecorder>();
builder.Services.AddSingleton<TimelineWriter>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<TimelineWriter>());
builder.Services.AddSingleton<RecentEventsWriter>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<RecentEventsWriter>());
builder.Services.AddSingleton<DeadLetterOffice>();
builder.Services.AddSingleton<AuditMetrics>();
builder.Services.AddOperationsPage();

var app = builder.Build();
app.UseServiceDefaults();
app.UseDaprApp();
app.MapSubscribeHandler().RequireDaprApp();
app.MapAuditApi();
app.MapDeadLetterApi();
// /ops/ and /ops/api/ only with Audit:OperationsPage:Enabled=true.
app.MapOperationsPage();
// Subscriptions are declared from configuration (bulk or single delivery), read after the host applied every source.
app.MapAuditEvents(app.Services.GetRequiredService<IOptions<AuditOptions>>().Value);
app.Run();
