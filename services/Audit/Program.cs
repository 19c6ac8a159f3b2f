using DaprOrders.Audit;
using DaprOrders.Audit.Api;
using DaprOrders.Audit.DeadLetters;
using DaprOrders.Audit.Operations;
using DaprOrders.Audit.Telemetry;
using DaprOrders.Audit.Timeline;
using DaprOrders.Contracts;
using DaprOrders.ServiceDefaults;
using DaprOrders.Sidecar;
using DaprOrders.Sidecar.AppCallbacks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddDaprSidecar();
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default);
    o.SerializerOptions.TypeInfoResolverChain.Insert(1, AuditJsonContext.Default);
});

builder.Services.AddOptions<AuditOptions>()
    .BindConfiguration(AuditOptions.SectionName)
    .ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<AuditOptions>, AuditOptionsValidator>();
builder.Services.TryAddSingleton(TimeProvider.System);

// Scoped: they hold the sidecar's typed HttpClient, which belongs to a scope rather than to a singleton.
builder.Services.AddScoped<AuditStore>();
builder.Services.AddSingleton<AuditRecorder>();
builder.Services.AddSingleton<TimelineWriter>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<TimelineWriter>());
builder.Services.AddSingleton<RecentEventsWriter>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<RecentEventsWriter>());
builder.Services.AddScoped<DeadLetterOffice>();
builder.Services.AddSingleton<AuditMetrics>();
builder.Services.AddOperationsPage();

var app = builder.Build();
app.UseServiceDefaults();
app.MapDaprSubscribeHandler();
app.MapAuditApi();
app.MapDeadLetterApi();
// /ops/ and /ops/api/ only with Audit:OperationsPage:Enabled=true.
app.MapOperationsPage();
// Subscriptions are declared from configuration (bulk or single delivery), read after the host applied every source.
app.MapAuditEvents(app.Services.GetRequiredService<IOptions<AuditOptions>>().Value);
app.Run();
