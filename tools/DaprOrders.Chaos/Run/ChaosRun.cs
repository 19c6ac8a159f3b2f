using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using DaprOrders.Chaos.Harness;
using DaprOrders.Contracts;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Chaos.Run;

/// <summary>Size and shape of a chaos run.</summary>
public sealed record ChaosRunOptions
{
    public int Orders { get; init; } = 150;

    /// <summary>Orders submitted together before the system is driven to rest (the clock only moves in between).</summary>
    public int BatchSize { get; init; } = 50;

    /// <summary>Seed of the order mix and of the emulator's fault decisions: a run is reproducible.</summary>
    public int Seed { get; init; } = 20261123;

    /// <summary>Orders whose payment.requested always fails in Payment until healed (0: a 500th of the orders, at least 2).</summary>
    public int PoisonedOrders { get; init; }

    /// <summary>The service whose sidecar connection is cut and re-established mid-run.</summary>
    public string RestartedApp { get; init; } = AppIds.Inventory;

    /// <summary>Concurrent HTTP calls for submissions and for reading the outcome.</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>Run with DAPR_API_TOKEN and APP_API_TOKEN set everywhere (and check that logs never show them).</summary>
    public bool WithTokens { get; init; } = true;

    /// <summary>Inject the delivery faults (off: poison and restart only, for diagnosis).</summary>
    public bool InjectFaults { get; init; } = true;

    /// <summary>
    /// Retries of a failed delivery before it is dead-lettered. The shipped policy (the seeds': three attempts) lets
    /// 0.2³ = 0.8 % of deliveries run out by chance under 20 % injected failures, which buries the poison among chance
    /// dead letters; with 10 retries that chance is 0.2¹¹ ≈ 2·10⁻⁸ per delivery, so the dead letters must hold exactly
    /// the poisoned events. Null: the shipped policy, where only the weaker dead-letter invariants can hold.
    /// </summary>
    public int? DeliveryMaxRetries { get; init; } = 10;

    /// <summary>Print the first warnings and errors of the run even when every invariant holds.</summary>
    public bool Verbose { get; init; }

    /// <summary>Progress lines (batches, phases); null: silent.</summary>
    public Action<string>? Progress { get; init; }

    internal int PoisonCount => PoisonedOrders > 0 ? PoisonedOrders : Math.Max(2, Orders / 500);
}

/// <summary>
/// The chaos scenario. All at once, on the four business topics: 20 % of delivery attempts fail as connection errors,
/// every event is delivered twice, a third of the deliveries are delayed (1 s, 3 s, 8 s), a few orders' events are
/// poison for one subscriber, and one service loses its sidecar connection mid-run. The resiliency policy is the
/// repository's (components/shared/resiliency.yaml: 3 attempts 5 s apart, then the dead-letter topic), so some
/// ordinary events also exhaust their attempts by chance (0.2³ per delivery). The decision, documented in
/// docs/reliability.md: after the run the faults are healed, every dead letter is replayed through Audit, and
/// then every invariant must hold.
/// </summary>
public sealed class ChaosRun(ChaosRunOptions options)
{
    private static readonly TimeSpan VirtualLimit = TimeSpan.FromMinutes(30);

    private readonly ConcurrentDictionary<string, long> _counters = new(StringComparer.Ordinal);

    public async Task<ChaosReport> ExecuteAsync(CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        var plan = ChaosPlan.Create(options.Orders, options.Seed, options.PoisonCount);
        var poison = new PoisonedDeliveries(AppIds.Payment, EventTypes.PaymentRequested);
        var systemOptions = new ChaosSystemOptions
        {
            Poison = poison,
            RandomSeed = options.Seed,
            MinimumLogLevel = LogLevel.Warning,
            DeliveryMaxRetries = options.DeliveryMaxRetries,
        };
        if (options.WithTokens)
        {
            systemOptions.DaprApiToken = "dapr-token-" + Guid.NewGuid().ToString("N");
            systemOptions.AppApiToken = "app-token-" + Guid.NewGuid().ToString("N");
        }

        // No deadline during the run: poisoned orders wait for the replay instead of being cancelled (the deadline
        // path has its own end-to-end tests). Rate limiting is a public-API concern, not what this run measures.
        systemOptions.Set(AppIds.Ordering, "Saga:Deadline", "06:00:00");
        systemOptions.Set(AppIds.Ordering, "Ordering:RateLimit:Enabled", "false");
        systemOptions.Set(AppIds.Audit, "Audit:MaxDeadLetters", "100000");

        Report($"starting the system ({options.Orders} orders, {plan.PoisonedIndexes.Count} poisoned, seed {options.Seed})");
        await using var system = await ChaosSystem.StartAsync(systemOptions);
        var api = new SystemApi(system);
        foreach (var (sku, initial) in plan.InitialStock)
        {
            await api.SetStockAsync(sku, initial, cancellationToken);
        }

        var virtualTime = TimeSpan.Zero;
        var faults = new List<IDisposable>();
        foreach (var topic in options.InjectFaults ? Topics.Business : [])
        {
            faults.Add(system.Faults.Fail(0.2, topic: topic));
            faults.Add(system.Faults.Duplicate(1.0, topic: topic));
            faults.Add(system.Faults.Delay(TimeSpan.FromSeconds(1), 0.2, topic: topic));
            faults.Add(system.Faults.Delay(TimeSpan.FromSeconds(3), 0.1, topic: topic));
            faults.Add(system.Faults.Delay(TimeSpan.FromSeconds(8), 0.05, topic: topic));
        }

        // Phase 1: submit in batches under every fault; the restart cuts deliveries of the middle batch mid-flight.
        var orderIds = new string?[plan.Orders.Count];
        var batches = plan.Orders.Chunk(Math.Max(1, options.BatchSize)).ToList();
        var index = 0;
        for (var b = 0; b < batches.Count; b++)
        {
            var first = index;
            await ForEachAsync(batches[b].Select((o, i) => (Order: o, Index: first + i)), async item =>
            {
                var (status, orderId) = await api.SubmitAsync(item.Order.CloudEvent, cancellationToken);
                Count(status == HttpStatusCode.Accepted ? "intake.accepted" : $"intake.status.{(int)status}");
                orderIds[item.Index] = orderId;
                if (orderId is not null && item.Order.Poisoned)
                {
                    poison.Poison(orderId);
                }
            });
            index += batches[b].Length;

            if (b == batches.Count / 2)
            {
                Report($"batch {b + 1}: restarting {options.RestartedApp}'s app connection with deliveries in flight (in flight {system.Broker.InFlight})");
                Count("restart.inFlightAtRestart", system.Broker.InFlight);
                await system.Emulator[options.RestartedApp].ReconnectAppAsync(cancellationToken);
                await system.Emulator[options.RestartedApp].WaitUntilReadyAsync(cancellationToken);
                Count("restarts");
            }

            virtualTime += await system.DriveUntilIdleAsync(VirtualLimit, cancellationToken, options.Progress);
            Report($"batch {b + 1}/{batches.Count} done: {index} submitted, virtual +{virtualTime}, {watch.Elapsed:hh\\:mm\\:ss} elapsed");
        }

        // Intake idempotency: the same event again is the same order; the same source+id with other data is refused.
        var (repeatsSame, conflictsRefused) = (0, 0);
        var probes = plan.Orders.Select((o, i) => (Order: o, Id: orderIds[i])).Where((_, i) => i % 50 == 0).ToList();
        foreach (var (order, id) in probes)
        {
            var again = await api.SubmitAsync(order.CloudEvent, cancellationToken);
            repeatsSame += again.Status == HttpStatusCode.Accepted && again.OrderId == id ? 1 : 0;
            var conflicting = await api.SubmitAsync(order.ConflictingCloudEvent, cancellationToken);
            conflictsRefused += conflicting.Status == HttpStatusCode.Conflict ? 1 : 0;
        }

        virtualTime += await system.DriveUntilIdleAsync(VirtualLimit, cancellationToken, options.Progress);

        // Before healing: poisoned orders wait for their payment, their payment.requested is a dead letter.
        var poisonedIds = plan.PoisonedIndexes.Select(i => orderIds[i]).OfType<string>().ToList();
        var poisonedStatuses = new List<string>();
        foreach (var id in poisonedIds)
        {
            poisonedStatuses.Add((await api.GetOrderAsync(id, cancellationToken))?.Status ?? "missing");
        }

        var poisonedWaiting = poisonedStatuses.Count(s => s == "AwaitingPayment");

        // Heal: faults off, poison fixed; replay every dead letter (Audit republishes it to its original topic).
        foreach (var fault in faults)
        {
            fault.Dispose();
        }

        poison.Heal();
        var deadLetters = new Dictionary<string, DeadLetterState>(StringComparer.Ordinal);
        for (var round = 0; ; round++)
        {
            var pending = await api.GetDeadLettersAsync("Pending", cancellationToken);
            if (pending.Count == 0 || round > 50)
            {
                break;
            }

            foreach (var letter in pending)
            {
                deadLetters.TryAdd(letter.Id, letter);
            }

            await ForEachAsync(pending, letter => api.ReplayDeadLetterAsync(letter.Id, cancellationToken));
            Count("deadLetters.replayed", pending.Count);
            virtualTime += await system.DriveUntilIdleAsync(VirtualLimit, cancellationToken, options.Progress);
        }

        Report($"healed and replayed {deadLetters.Count} dead letters; checking invariants");
        var pendingAfterReplay = (await api.GetDeadLettersAsync("Pending", cancellationToken)).Count;
        var invariants = new List<Invariant>
        {
            Invariant.Equal("orders accepted by POST /orders (202)", plan.Orders.Count, orderIds.Count(id => id is not null)),
            Invariant.Equal("identical resubmission = same order (202)", probes.Count, repeatsSame),
            Invariant.Equal("same source+id, other payload refused (409)", probes.Count, conflictsRefused),
            Invariant.Equal("poisoned orders waiting (AwaitingPayment) before replay", poisonedIds.Count, poisonedWaiting, poisonedStatuses),
        };

        var poisonedDeadLettered = poisonedIds.Count(id => deadLetters.Values.Any(d => d.OrderId == id && d.Type == EventTypes.PaymentRequested));
        var exhausted = system.Logs.Count("DaprOrders.Emulator.PubSub.PubSubSubscriber", "LogDeliveryFailed");
        var dropped = system.Logs.Count("DaprOrders.Emulator.PubSub.PubSubSubscriber", "LogDropped");
        var arrivals = deadLetters.Values.Sum(d => d.Attempts);
        var poisonLetters = deadLetters.Values.Count(d => d.Type == EventTypes.PaymentRequested && d.OrderId is { } o && poisonedIds.Contains(o));
        Count("deadLetters.total", deadLetters.Count);
        Count("deadLetters.poisoned", poisonLetters);
        Count("deadLetters.transientExhaustion", deadLetters.Count - poisonLetters);
        Count("deliveries.exhausted", exhausted);
        invariants.Add(Invariant.Equal("poisoned events in the dead letters", poisonedIds.Count, poisonedDeadLettered));
        if (options.DeliveryMaxRetries is not null)
        {
            // With a retry budget that outlasts the injected failures, nothing but the poison may end there.
            invariants.Add(Invariant.Equal("dead letters that are not poisoned events", 0, deadLetters.Count - poisonLetters));
        }

        // Every exhausted delivery reached Audit (arrivals may exceed it: the deadletters topic is at-least-once too),
        // and no dead letter came from a handler dropping a valid event.
        invariants.Add(Invariant.Check("dead letters ≤ exhausted deliveries ≤ arrivals, 0 DROP",
            "d ≤ e ≤ a, 0 DROP", $"{deadLetters.Count} ≤ {exhausted} ≤ {arrivals}, {dropped} DROP",
            deadLetters.Count <= exhausted && exhausted <= arrivals && dropped == 0));
        invariants.Add(Invariant.Equal("dead letters still pending after replay", 0, pendingAfterReplay));

        var outcome = await new InvariantChecker(api, plan, options.Concurrency).CheckAsync(orderIds, cancellationToken);
        invariants.AddRange(outcome.Invariants);
        foreach (var (key, value) in outcome.Counters)
        {
            Count(key, value);
        }

        if (options.WithTokens)
        {
            var leaks = system.Logs.SecretHits.Values.Sum();
            invariants.Add(Invariant.Equal("API/app token strings in logs", 0, leaks));
        }

        Count("logs.lines", system.Logs.Lines);
        Count("virtualSeconds", (long)virtualTime.TotalSeconds);
        foreach (var (topic, published) in system.Broker.PublishedCounts)
        {
            Count("published." + topic, published);
        }

        return new ChaosReport(plan.Orders.Count, watch.Elapsed, virtualTime, new Dictionary<string, long>(_counters, StringComparer.Ordinal), invariants,
            system.Logs.Sample);
    }

    private async Task ForEachAsync<T>(IEnumerable<T> items, Func<T, Task> action)
    {
        using var gate = new SemaphoreSlim(options.Concurrency);
        await Task.WhenAll(items.Select(async item =>
        {
            await gate.WaitAsync();
            try
            {
                await action(item);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    private void Count(string key, long by = 1) => _counters.AddOrUpdate(key, by, (_, n) => n + by);

    private void Report(string line) => options.Progress?.Invoke(line);
}
