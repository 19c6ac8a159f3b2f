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
    /// Bulk delivery on the event topics (not on <c>deadletters</c>): under load one request per topic carries many
    /// orders' events and one group commit writes them, instead of one delivery per event. Failure semantics are per
    /// entry (services/Audit/README.md, "Bulk delivery"). Off only for a sidecar without bulk subscribe.
    /// </summary>
    public bool BulkSubscribe { get; set; } = true;

    /// <summary>
    /// <c>bulkSubscribe.maxMessagesCount</c>: daprd's default, 100. It bounds one request (about 1 KB per event) and the
    /// group commit it becomes (one bulk get and one bulk save of at most 100 timelines); at the B2 rates a window
    /// gathers a few dozen events per topic, so it rarely binds.
    /// </summary>
    [Range(1, 1000)]
    public int BulkMaxMessagesCount { get; set; } = 100;

    /// <summary>
    /// <c>bulkSubscribe.maxAwaitDurationMs</c>: 250 ms instead of daprd's 1000. daprd flushes on a ticker of this
    /// period, so an event waits at most this long before Audit sees it: a timeline stays as fresh as the recent list
    /// (<see cref="RecentFlushInterval"/>, also 250 ms), while under load a window still gathers dozens of events per
    /// topic. A longer window saves little more (deliveries per order are already a small fraction) and makes the
    /// operations page lag.
    /// </summary>
    [Range(1, 60_000)]
    public int BulkMaxAwaitDurationMs { get; set; } = 250;

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
