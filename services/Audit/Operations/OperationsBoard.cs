using System.Globalization;
using System.Text.Json;
using Dapr;
using DaprOrders.Audit.DeadLetters;
using DaprOrders.BuildingBlocks;
using Microsoft.Extensions.Options;

namespace DaprOrders.Audit.Operations;

/// <summary>
/// Builds what the operations page shows: Ordering and Inventory through Dapr service invocation, dead letters and
/// timelines from Audit's own state. Each source is read on its own with a timeout, so one unavailable service leaves
/// a gap on the page instead of an error page.
/// </summary>
public sealed partial class OperationsBoard(
    ServiceInvocationClient invocation,
    AuditStore store,
    DeadLetterOffice deadLetters,
    IOptions<OperationsPageOptions> options,
    TimeProvider timeProvider,
    ILogger<OperationsBoard> logger)
{
    private readonly OperationsPageOptions _options = options.Value;

    public async Task<OperationsSnapshot> GetSnapshotAsync(CancellationToken cancellationToken = default)
    {
        var problems = new List<SourceProblem>();
        var latest = string.Create(CultureInfo.InvariantCulture, $"orders?limit={_options.LatestOrders}");
        var stats = ReadAsync("ordering /orders/stats", () => InvokeAsync(_options.OrderingAppId, "orders/stats", cancellationToken), cancellationToken);
        var orders = ReadAsync("ordering /orders", () => InvokeAsync(_options.OrderingAppId, latest, cancellationToken), cancellationToken);
        var stock = ReadAsync("inventory /stock", () => InvokeAsync(_options.InventoryAppId, "stock", cancellationToken), cancellationToken);
        var letters = ReadAsync<IReadOnlyList<DeadLetterSummary>>("audit dead letters",
            async () => await deadLetters.ListAsync(null, _options.DeadLetters, cancellationToken), cancellationToken);
        await Task.WhenAll(stats, orders, stock, letters);

        return new OperationsSnapshot(
            timeProvider.GetUtcNow(),
            Collect(await stats, problems),
            Collect(await orders, problems),
            Collect(await stock, problems),
            Collect(await letters, problems),
            problems,
            TraceLinks: _options.JaegerUrl is not null);
    }

    /// <summary>
    /// A snapshot now and then every <see cref="OperationsPageOptions.SnapshotInterval"/> until the client goes away or
    /// <paramref name="stopping"/> fires (an open page must not hold up the service's shutdown; the browser reconnects).
    /// </summary>
    public async IAsyncEnumerable<OperationsSnapshot> WatchAsync(
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken, CancellationToken stopping = default)
    {
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
        using var ticks = new PeriodicTimer(_options.SnapshotInterval, timeProvider);
        do
        {
            OperationsSnapshot snapshot;
            try
            {
                snapshot = await GetSnapshotAsync(watching.Token);
            }
            catch (OperationCanceledException) when (watching.IsCancellationRequested)
            {
                yield break;
            }

            yield return snapshot;
        }
        while (await NextTickAsync(ticks, watching.Token));
    }

    /// <summary>Ordering's document of the order (when it answers) and Audit's timeline; null when neither knows the order.</summary>
    public async Task<OrderDetailView?> GetOrderAsync(string orderId, CancellationToken cancellationToken = default)
    {
        var problems = new List<SourceProblem>();
        var order = ReadAsync("ordering /orders/{id}",
            () => InvokeAsync(_options.OrderingAppId, "orders/" + Uri.EscapeDataString(orderId), cancellationToken, notFoundIsNull: true),
            cancellationToken);
        var timeline = ReadAsync("audit timeline", async () => (await store.GetTimelineAsync(orderId, cancellationToken)).Value, cancellationToken);
        await Task.WhenAll(order, timeline);

        var document = Collect(await order, problems);
        var events = Collect(await timeline, problems)?.Events ?? [];
        if (document is null && events.Count == 0 && problems.Count == 0)
        {
            return null;
        }

        return new OrderDetailView(orderId, document, [.. events.Select(e => TimelineEventView.From(e, _options))], problems);
    }

    private async Task<JsonElement?> InvokeAsync(string appId, string methodPath, CancellationToken cancellationToken, bool notFoundIsNull = false)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.SourceTimeout);
        using var response = await invocation.GetAsync(appId, methodPath, timeout.Token);
        if (notFoundIsNull && response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode}"), null, response.StatusCode);
        }

        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        using var document = await JsonDocument.ParseAsync(body, default, timeout.Token);
        return document.RootElement.Clone();
    }

    /// <summary>Runs one read and turns its failure into a <see cref="SourceProblem"/>; the caller's cancellation still propagates.</summary>
    private async Task<(T? Value, SourceProblem? Problem)> ReadAsync<T>(string source, Func<Task<T?>> read, CancellationToken cancellationToken)
    {
        try
        {
            return (await read(), null);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is HttpRequestException or OperationCanceledException
            or JsonException or DaprException)
        {
            // Debug only: the page polls every second, and the problem is shown on the page itself.
            LogSourceUnavailable(logger, source, ex.Message);
            var detail = ex is OperationCanceledException ? $"no answer within {_options.SourceTimeout.TotalSeconds:0.#} s" : ex.Message;
            return (default, new SourceProblem(source, detail));
        }
    }

    private static T? Collect<T>((T? Value, SourceProblem? Problem) read, List<SourceProblem> problems)
    {
        if (read.Problem is { } problem)
        {
            problems.Add(problem);
        }

        return read.Value;
    }

    private static async Task<bool> NextTickAsync(PeriodicTimer ticks, CancellationToken cancellationToken)
    {
        try
        {
            return await ticks.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Operations page source {Source} unavailable: {Detail}")]
    private static partial void LogSourceUnavailable(ILogger logger, string source, string detail);
}
