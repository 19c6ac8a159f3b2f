using Dapr.Client;
using DaprOrders.BuildingBlocks.State;
using Microsoft.Extensions.Options;

namespace DaprOrders.Audit.Timeline;

/// <summary>
/// The recent-events list (<c>audit-recent</c>). Every delivered event lands in it, so writing it per delivery made
/// one hot key that turned load into ETag conflicts and redeliveries; the timelines are the record, this list is a
/// view, so it is written in the background in batches.
/// </summary>
public sealed class RecentEventsWriter(DaprClient dapr, IOptions<AuditOptions> options, ILogger<RecentEventsWriter> logger)
    : SharedStateDocumentWriter<AuditEntry, RecentEvents>(dapr, options.Value.StateStore,
        new SharedStateDocumentSettings(SharedStateDocumentSettings.Default.QueueLimit, options.Value.RecentFlushInterval), logger)
{
    protected override string Key => AuditStore.RecentKey;

    protected override RecentEvents Apply(RecentEvents? current, IReadOnlyList<AuditEntry> batch)
    {
        var existing = current ?? RecentEvents.Empty;
        return existing.Add(batch, options.Value.RecentLimit) ?? existing;
    }
}
