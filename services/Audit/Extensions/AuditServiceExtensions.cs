using DaprOrders.Audit.DeadLetters;
using DaprOrders.Audit.Operations;
using DaprOrders.Audit.Telemetry;
using DaprOrders.Audit.Timeline;
using DaprOrders.BuildingBlocks;
using DaprOrders.Contracts;
using DaprOrders.ServiceDefaults;

namespace DaprOrders.Audit.Extensions;

public static class AuditServiceExtensions
{
    /// <summary>
    /// Everything Audit registers: the Dapr app, its settings (checked at start), the store and its background writers,
    /// the dead-letter office and the operations page.
    /// </summary>
    public static void AddAuditServices(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddDaprApp(ContractsJsonContext.Default, AuditJsonContext.Default);

        builder.Services.AddValidatedOptions<AuditOptions, AuditOptionsValidator>(AuditOptions.SectionName);

        builder.Services.AddSingleton<AuditStore>();
        builder.Services.AddSingleton<AuditRecorder>();
        builder.Services.AddSingleton<TimelineWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TimelineWriter>());
        builder.Services.AddSingleton<RecentEventsWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RecentEventsWriter>());
        builder.Services.AddSingleton<DeadLetterOffice>();
        builder.Services.AddSingleton<AuditMetrics>();
        builder.Services.AddOperationsPage();
    }
}
