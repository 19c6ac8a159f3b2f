using System.Text.Json.Nodes;
using DaprOrders.Emulator.Hosting;
using DaprOrders.Emulator.PubSub;
using DaprOrders.Emulator.Resources;
using DaprOrders.Emulator.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace DaprOrders.Emulator;

/// <summary>
/// An in-process stand-in for daprd, for tests and the embedded default run: one sidecar HTTP endpoint per app-id,
/// sharing in-memory pub/sub, state and actor placement. Not a production runtime.
/// </summary>
public sealed partial class DaprEmulator : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    // One caller at a time moves the clock to release held messages (outbox markers, bulk windows).
    private readonly SemaphoreSlim _outboxRelease = new(1, 1);

    private DaprEmulator(ServiceProvider services)
    {
        _services = services;
        Apps = services.GetRequiredService<EmulatedApps>();
    }

    public EmulatedApps Apps { get; }

    /// <summary>The emulator's building blocks (pub/sub broker, state stores, actors, fault injection), for tests.</summary>
    public IServiceProvider Services => _services;

    public TimeProvider TimeProvider => _services.GetRequiredService<TimeProvider>();

    public AppSidecar this[string appId] =>
        Apps.Find(appId) ?? throw new KeyNotFoundException($"no app '{appId}' in this emulator");

    public static async Task<DaprEmulator> StartAsync(
        EmulatorOptions options,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var services = new ServiceCollection()
            .AddSingleton(options)
            .AddSingleton(options.TimeProvider)
            .AddSingleton<EmulatorClock>()
            .AddSingleton(loggerFactory ?? NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(Logger<>))
            .AddSingleton(EmulatorResourceLoader.Load(options))
            .AddSingleton<EmulatedApps>()
            .AddEmulatorBuildingBlocks()
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger<DaprEmulator>();
        foreach (var warning in services.GetRequiredService<EmulatorResources>().Warnings)
        {
            LogResourceWarning(logger, warning);
        }

        var emulator = new DaprEmulator(services);
        try
        {
            foreach (var app in options.Apps)
            {
                var sidecar = new AppSidecar(app, services);
                emulator.Apps.Add(sidecar);
                await sidecar.StartAsync(options.ListenAddress, cancellationToken);
            }
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }

        return emulator;
    }

    /// <summary>Waits until every app's port is open and its actors and subscriptions are loaded.</summary>
    public async Task WaitForAppsReadyAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await Task.WhenAll(Apps.All.Select(a => a.WaitUntilReadyAsync(deadline.Token)));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var waiting = string.Join(", ", Apps.All.Where(a => !a.IsAppReady).Select(a => $"{a.AppId} (port {a.Options.AppPort})"));
            throw new TimeoutException($"apps not ready after {timeout}: {waiting}");
        }
    }

    /// <summary>
    /// Advances the emulator's <see cref="FakeTimeProvider"/> by <paramref name="by"/> and returns once the work that
    /// the advance released has run: passed retry delays, fault delays and bulk windows resumed, due reminders, timers
    /// and idle deactivations finished (or asleep on the clock again). Before moving the clock it waits for the same
    /// quiet, so that the waits started by earlier work exist when the clock passes them. With
    /// <paramref name="waitForDeliveries"/> (the default) both waits also cover pub/sub: nothing queued or being
    /// delivered. Pass false when a delivery is meant to stay in progress across the advance (an attempt hanging in the
    /// app until a timeout on the clock ends it, or a driver that moves the clock while deliveries run).
    /// </summary>
    /// <exception cref="InvalidOperationException">The emulator does not run on a FakeTimeProvider.</exception>
    /// <exception cref="TimeoutException">The work did not settle within <paramref name="timeout"/> of real time.</exception>
    public async Task AdvanceClockAsync(TimeSpan by, bool waitForDeliveries = true, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var clock = TimeProvider as FakeTimeProvider
            ?? throw new InvalidOperationException("AdvanceClockAsync needs EmulatorOptions.TimeProvider to be a FakeTimeProvider");
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        await WaitForClockWorkAsync(waitForDeliveries, limit, cancellationToken);
        clock.Advance(by);
        await WaitForClockWorkAsync(waitForDeliveries, limit, cancellationToken);
    }

    /// <summary>
    /// Lets virtual time pass, one second at a time, while daprd's outbox holds internal messages waiting for their
    /// marker (<see cref="TransactionalOutbox"/>): the first phase publishes an event about 1 s after its commit, which
    /// real time would give it. One caller at a time; each step is an <see cref="AdvanceClockAsync"/>.
    /// </summary>
    public async Task ReleaseOutboxAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var outbox = _services.GetRequiredService<TransactionalOutbox>();
        await _outboxRelease.WaitAsync(cancellationToken);
        try
        {
            while (outbox.Pending > 0)
            {
                await AdvanceClockAsync(TransactionalOutbox.FirstLookAfter, timeout: timeout, cancellationToken: cancellationToken);
            }
        }
        finally
        {
            _outboxRelease.Release();
        }
    }

    /// <summary>
    /// Lets virtual time pass while bulk-subscribe batches hold messages (<see cref="PubSubBroker.InBulkWindows"/>),
    /// each step to the next tick that flushes one (<see cref="PubSubBroker.NextBulkFlush"/>), as real time would, until
    /// no window is open. Deliveries that publish more open new windows, which are released too. One caller at a time,
    /// shared with <see cref="ReleaseOutboxAsync"/>.
    /// </summary>
    public async Task ReleaseBulkWindowsAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var broker = _services.GetRequiredService<PubSubBroker>();
        await _outboxRelease.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                await WaitForClockWorkAsync(includeDeliveries: true, timeout ?? TimeSpan.FromSeconds(30), cancellationToken);
                if (broker.InBulkWindows == 0)
                {
                    return;
                }

                // Null only while a subscription loop is between taking messages and arming its tick: look again.
                if (broker.NextBulkFlush is { } due)
                {
                    var step = due - TimeProvider.GetUtcNow();
                    await AdvanceClockAsync(step > TimeSpan.Zero ? step : TimeSpan.Zero, timeout: timeout, cancellationToken: cancellationToken);
                }
            }
        }
        finally
        {
            _outboxRelease.Release();
        }
    }

    /// <summary>Waits until no work released by the clock is pending (and, with <paramref name="includeDeliveries"/>, no delivery is queued or running).</summary>
    public Task WaitForClockWorkAsync(bool includeDeliveries, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var clock = _services.GetRequiredService<EmulatorClock>();
        return _services.GetRequiredService<PubSubBroker>().WaitUntilAsync(
            broker => !clock.HasReleasedWork && (!includeDeliveries || broker.InFlight == 0),
            timeout,
            includeDeliveries ? "settled (clock work and deliveries)" : "settled (clock work)",
            cancellationToken);
    }

    /// <summary>An emulator-level view: every app, its endpoints, readiness and the subscriptions its sidecar runs.</summary>
    public JsonObject Describe()
    {
        var broker = _services.GetRequiredService<PubSubBroker>();
        var apps = new JsonArray();
        foreach (var app in Apps.All.OrderBy(a => a.AppId, StringComparer.Ordinal))
        {
            var subscriptions = new JsonArray();
            foreach (var subscription in broker.SubscriptionsOf(app.AppId))
            {
                subscriptions.Add(new JsonObject
                {
                    ["pubsubname"] = subscription.Component.Name,
                    ["topic"] = subscription.Topic,
                    ["type"] = subscription.Type == SubscriptionType.Declarative ? "DECLARATIVE" : "PROGRAMMATIC",
                });
            }

            apps.Add(new JsonObject
            {
                ["appId"] = app.AppId,
                ["daprHttpEndpoint"] = app.HttpEndpoint.ToString(),
                ["daprGrpcEndpoint"] = app.GrpcEndpoint.ToString(),
                ["appPort"] = app.Options.AppPort,
                ["ready"] = app.IsAppReady,
                ["subscriptions"] = subscriptions,
            });
        }

        return new JsonObject
        {
            ["apps"] = apps,
            ["components"] = new JsonArray([.. _services.GetRequiredService<EmulatorResources>().Components
                .Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["type"] = c.Type, ["scopes"] = new JsonArray([.. c.Scopes.Select(s => (JsonNode)s)]) })]),
            ["pubsub"] = new JsonObject { ["inFlight"] = broker.InFlight, ["pendingRetries"] = broker.PendingRetries },
        };
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in Apps.All)
        {
            await app.DisposeAsync();
        }

        await _services.DisposeAsync();
        _outboxRelease.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogResourceWarning(ILogger logger, string warning);
}
