using System.ComponentModel.DataAnnotations;

namespace DaprOrders.Audit.Operations;

/// <summary>Settings of the <c>Audit:OperationsPage</c> configuration section (the operations page at <c>/ops/</c>).</summary>
public sealed class OperationsPageOptions
{
    public const string SectionName = "Audit:OperationsPage";

    /// <summary>
    /// Off by default: the page can replay and discard dead letters, so it is mapped only where an operator turned it
    /// on (the embedded run and the chart's <c>operationsPage.enabled</c>).
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>Jaeger UI base URL (e.g. <c>http://127.0.0.1:16686</c>); when set, trace ids link to <c>{JaegerUrl}/trace/{traceId}</c>.</summary>
    public Uri? JaegerUrl { get; set; }

    /// <summary>Dapr app id of the Ordering service (order counts and latest orders).</summary>
    public string OrderingAppId { get; set; } = "ordering";

    /// <summary>Dapr app id of the Inventory service (stock levels).</summary>
    public string InventoryAppId { get; set; } = "inventory";

    /// <summary>How many of the latest orders a snapshot lists.</summary>
    [Range(1, 500)]
    public int LatestOrders { get; set; } = 20;

    /// <summary>How many dead letters (most recent first) a snapshot lists.</summary>
    [Range(1, 1000)]
    public int DeadLetters { get; set; } = 50;

    /// <summary>How often <c>/ops/api/stream</c> sends a snapshot.</summary>
    [Range(typeof(TimeSpan), "00:00:00.1000000", "00:01:00")]
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Bound of one call to another service while building a snapshot; a slow service must not stall the page.</summary>
    [Range(typeof(TimeSpan), "00:00:00.1000000", "00:00:30")]
    public TimeSpan SourceTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary><c>{JaegerUrl}/trace/{traceId}</c>, or null without a Jaeger URL or a well-formed, non-zero trace id.</summary>
    public Uri? TraceLink(string? traceId)
    {
        if (JaegerUrl is not { IsAbsoluteUri: true } jaeger || (jaeger.Scheme != Uri.UriSchemeHttp && jaeger.Scheme != Uri.UriSchemeHttps) ||
            traceId is not { Length: 32 } || !traceId.All(char.IsAsciiHexDigitLower) || traceId.All(c => c == '0'))
        {
            return null;
        }

        return new Uri($"{jaeger.AbsoluteUri.TrimEnd('/')}/trace/{traceId}");
    }
}

/// <summary>Checks the data annotations of <see cref="OperationsPageOptions"/> with generated code (no reflection at start-up).</summary>
[Microsoft.Extensions.Options.OptionsValidator]
public sealed partial class OperationsPageOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<OperationsPageOptions>;
