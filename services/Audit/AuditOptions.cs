using System.ComponentModel.DataAnnotations;
using DaprOrders.Contracts;

namespace DaprOrders.Audit;

/// <summary>Settings of the <c>Audit</c> configuration section.</summary>
public sealed class AuditOptions
{
    public const string SectionName = "Audit";

    public string StateStore { get; set; } = "statestore";

    public string PubsubName { get; set; } = PubSub.Name;

    /// <summary>
    /// Subscribe to <c>orders</c>, <c>inventory</c>, <c>payments</c> and <c>notifications</c> with bulk delivery, so
    /// one state write appends a whole batch to an order's timeline. Off by default: bulk delivery waits up to
    /// <see cref="BulkMaxAwaitDurationMs"/> to fill a batch, and not every sidecar double implements it.
    /// </summary>
    public bool BulkSubscribe { get; set; }

    [Range(1, 1000)]
    public int BulkMaxMessagesCount { get; set; } = 100;

    [Range(1, 60_000)]
    public int BulkMaxAwaitDurationMs { get; set; } = 1000;

    /// <summary>How many events <c>GET /audit/events</c> keeps (newest first).</summary>
    [Range(1, 10_000)]
    public int RecentLimit { get; set; } = 200;

    /// <summary>Pause between background writes of the recent list, so that under load events gather into batches.</summary>
    public TimeSpan RecentFlushInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Upper bound of one order's timeline; later events are logged and not stored.</summary>
    [Range(10, 100_000)]
    public int MaxTimelineEntries { get; set; } = 1000;

    /// <summary>How many dead letters the index lists; the oldest fall off the list (their documents stay).</summary>
    [Range(1, 100_000)]
    public int MaxDeadLetters { get; set; } = 1000;

    /// <summary>Attempts of an ETag read-modify-write loop before giving up (RETRY for deliveries, 503 for API calls).</summary>
    [Range(1, 100)]
    public int MaxConcurrencyAttempts { get; set; } = 10;
}

/// <summary>Checks the data annotations of <see cref="AuditOptions"/> with generated code (no reflection at start-up).</summary>
[Microsoft.Extensions.Options.OptionsValidator]
public sealed partial class AuditOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<AuditOptions>;
