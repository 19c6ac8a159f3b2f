extern alias audit;
extern alias inventory;
extern alias notification;
extern alias ordering;
extern alias payment;

using System.Diagnostics;
using System.Net.Sockets;
using DaprOrders.Contracts;
using DaprOrders.Emulator;
using DaprOrders.Emulator.Faults;
using DaprOrders.Emulator.PubSub;
using DaprOrders.Emulator.Resiliency;
using DaprOrders.Emulator.State;
using DaprOrders.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace DaprOrders.Chaos.Harness;

/// <summary>What a <see cref="ChaosSystem"/> runs with: per-app settings, API tokens, the log level, a poison.</summary>
public sealed class ChaosSystemOptions
{
    private readonly Dictionary<string, Dictionary<string, string?>> _settings = new(StringComparer.Ordinal);

    /// <summary>
    /// daprd's DAPR_API_TOKEN: every sidecar requires it, every service is given it. Null: no token (the default
    /// of <c>dapr run</c>).
    /// </summary>
    public string? DaprApiToken { get; set; }

    /// <summary>daprd's APP_API_TOKEN: every sidecar sends it, every service requires it on sidecar-facing routes.</summary>
    public string? AppApiToken { get; set; }

    /// <summary>
    /// The operator token every service is given (OperatorAccess:Token); the run's API clients send it, as an operator
    /// setting stock and replaying dead letters would.
    /// </summary>
    public string OperatorToken { get; set; } = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    /// <summary>Level of the captured logs (emulator and services alike).</summary>
    public LogLevel MinimumLogLevel { get; set; } = LogLevel.Warning;

    /// <summary>Events to fail on the app side until healed (see <see cref="PoisonedDeliveries"/>).</summary>
    public PoisonedDeliveries? Poison { get; set; }

    public int RandomSeed { get; set; } = 20261123;

    /// <summary>
    /// Replaces <c>maxRetries</c> of the shipped policy's <c>deliveryRetry</c> (a copy of components/shared is loaded);
    /// null: the policy exactly as shipped.
    /// </summary>
    public int? DeliveryMaxRetries { get; set; }

    public ChaosSystemOptions Set(string appId, string key, string? value)
    {
        if (!_settings.TryGetValue(appId, out var settings))
        {
            _settings[appId] = settings = new Dictionary<string, string?>(StringComparer.Ordinal);
        }

        settings[key] = value;
        return this;
    }

    internal IReadOnlyDictionary<string, string?> SettingsFor(string appId)
    {
        var settings = new Dictionary<string, string?>(_settings.GetValueOrDefault(appId) ?? [], StringComparer.Ordinal);
        if (DaprApiToken is not null)
        {
            settings.TryAdd("DAPR_API_TOKEN", DaprApiToken);
        }

        if (AppApiToken is not null)
        {
            settings.TryAdd("APP_API_TOKEN", AppApiToken);
        }

        settings.TryAdd("OperatorAccess:Token", OperatorToken);
        return settings;
    }
}

/// <summary>
/// The whole system in one process: the emulator with the repository's in-memory components and resiliency policy
/// on a virtual clock, and the five services on real loopback ports, seeing the environment daprd gives them. A
/// copy of the end-to-end harness (tests/DaprOrders.EndToEnd.Tests/Infrastructure/OrderSystem.cs) without xunit,
/// plus what chaos needs: API tokens, one log sink for everything, poison, and a clock driver.
/// </summary>
public sealed partial class ChaosSystem : IAsyncDisposable
{
    public static readonly IReadOnlyList<string> AppIdList = [AppIds.Ordering, AppIds.Inventory, AppIds.Payment, AppIds.Notification, AppIds.Audit];

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StuckAfter = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan WaitingOnRetriesAfter = TimeSpan.FromMilliseconds(300);

    private readonly List<IInProcessService> _hosts;
    private readonly Dictionary<string, HttpClient> _clients;
    private readonly ILoggerFactory _loggerFactory;

    private ChaosSystem(DaprEmulator emulator, FakeTimeProvider clock, List<IInProcessService> hosts, LogCapture logs, ILoggerFactory loggerFactory, ChaosSystemOptions options)
    {
        Emulator = emulator;
        Clock = clock;
        Logs = logs;
        Options = options;
        _hosts = hosts;
        _loggerFactory = loggerFactory;
        _clients = hosts.ToDictionary(h => h.AppId, h => h.CreateApiClient(), StringComparer.Ordinal);
    }

    public DaprEmulator Emulator { get; }

    public FakeTimeProvider Clock { get; }

    public LogCapture Logs { get; }

    public ChaosSystemOptions Options { get; }

    public PubSubBroker Broker => Emulator.Services.GetRequiredService<PubSubBroker>();

    public FaultInjection Faults => Emulator.Services.GetRequiredService<FaultInjection>();

    public StateStoreRegistry StateStores => Emulator.Services.GetRequiredService<StateStoreRegistry>();

    private ResiliencyPolicies Resiliency => Emulator.Services.GetRequiredService<ResiliencyPolicies>();

    private EmulatorClock ClockWork => Emulator.Services.GetRequiredService<EmulatorClock>();

    /// <summary>The public API of a service (base address = its app port), e.g. <c>Api("ordering")</c>.</summary>
    public HttpClient Api(string appId) => _clients[appId];

    public static async Task<ChaosSystem> StartAsync(ChaosSystemOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(options);
            }
            catch (Exception ex) when (attempt < 3 && IsAddressInUse(ex))
            {
                // Another process took one of the free ports between choosing and binding it: new ports.
            }
        }
    }

    private static bool IsAddressInUse(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } or Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                return true;
            }
        }

        return false;
    }

    private static async Task<ChaosSystem> StartOnceAsync(ChaosSystemOptions options)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
        var free = LoopbackPorts.Free(AppIdList.Count * 3);
        var ports = AppIdList.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => free[x.i], StringComparer.Ordinal);
        var sidecarPorts = AppIdList.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => free[AppIdList.Count + x.i], StringComparer.Ordinal);
        var grpcPorts = AppIdList.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => free[(2 * AppIdList.Count) + x.i], StringComparer.Ordinal);

        var emulatorOptions = new EmulatorOptions { TimeProvider = clock, RandomSeed = options.RandomSeed, DisableRetryJitter = true };
        var sharedResources = options.DeliveryMaxRetries is { } maxRetries
            ? SharedResourcesWithDeliveryRetries(maxRetries)
            : Path.Combine(RepositoryRoot.Path, "components", "shared");
        emulatorOptions.ResourcesPaths.Add(sharedResources);
        emulatorOptions.ResourcesPaths.Add(Path.Combine(RepositoryRoot.Path, "components", "in-memory"));
        foreach (var appId in AppIdList)
        {
            emulatorOptions.Apps.Add(new EmulatedAppOptions
            {
                AppId = appId,
                AppPort = ports[appId],
                DaprHttpPort = sidecarPorts[appId],
                DaprGrpcPort = grpcPorts[appId],
                DaprApiToken = options.DaprApiToken,
                AppApiToken = options.AppApiToken,
            });
        }

        var logs = new LogCapture(options.MinimumLogLevel);
        logs.Watch(options.DaprApiToken ?? string.Empty, options.AppApiToken ?? string.Empty);
        var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(options.MinimumLogLevel).AddProvider(logs));
        var hosts = new List<IInProcessService>();
        DaprEmulator? emulator = null;
        try
        {
            IInProcessService Host<TProgram>(string appId)
                where TProgram : class =>
                new InProcessService<TProgram>(appId, ports[appId], new Uri($"http://127.0.0.1:{sidecarPorts[appId]}"), Settings(options, appId),
                    options.Poison is { } poison ? [poison.StartupFilterFor(appId)] : [], logs,
                    grpcEndpoint: new Uri($"http://127.0.0.1:{grpcPorts[appId]}"));

            hosts.Add(Host<ordering::Program>(AppIds.Ordering));
            hosts.Add(Host<inventory::Program>(AppIds.Inventory));
            hosts.Add(Host<payment::Program>(AppIds.Payment));
            hosts.Add(Host<notification::Program>(AppIds.Notification));
            hosts.Add(Host<audit::Program>(AppIds.Audit));
            foreach (var host in hosts)
            {
                host.Start();
            }

            try
            {
                emulator = await DaprEmulator.StartAsync(emulatorOptions, loggerFactory);
            }
            finally
            {
                // The emulator reads its resources once, at start.
                if (options.DeliveryMaxRetries is not null)
                {
                    Directory.Delete(sharedResources, recursive: true);
                }
            }

            await emulator.WaitForAppsReadyAsync(ReadyTimeout);
            var broker = emulator.Services.GetRequiredService<PubSubBroker>();
            var unsubscribed = AppIdList.Where(id => broker.SubscriptionsOf(id).Count == 0).ToList();
            if (unsubscribed.Count > 0)
            {
                throw new InvalidOperationException($"no subscriptions loaded for {string.Join(", ", unsubscribed)}");
            }
        }
        catch
        {
            if (emulator is not null)
            {
                await emulator.DisposeAsync();
            }

            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }

            loggerFactory.Dispose();
            throw;
        }

        return new ChaosSystem(emulator, clock, hosts, logs, loggerFactory, options);
    }

    private static Dictionary<string, string?> Settings(ChaosSystemOptions options, string appId)
    {
        var settings = new Dictionary<string, string?>(options.SettingsFor(appId), StringComparer.Ordinal);
        // The services' own log filters follow the run's level, so the sink sees what they would print.
        settings.TryAdd("Logging:LogLevel:Default", options.MinimumLogLevel.ToString());
        settings.TryAdd("Logging:LogLevel:Microsoft.AspNetCore", options.MinimumLogLevel.ToString());
        settings.TryAdd("Logging:LogLevel:System.Net.Http.HttpClient", options.MinimumLogLevel.ToString());
        return settings;
    }

    /// <summary>
    /// Runs the system until nothing is queued, delivered or waiting: whenever everything left sleeps on the virtual
    /// clock (a retry back-off, a Delay fault, an actor call retry) the clock moves one second, like real time would.
    /// If deliveries make no progress for a while of real time although something is in flight, the clock moves too:
    /// a handler may be waiting for a timeout that only the clock can end. Returns the virtual time it took.
    /// </summary>
    public async Task<TimeSpan> DriveUntilIdleAsync(TimeSpan limit, CancellationToken cancellationToken = default, Action<string>? progress = null)
    {
        var start = Clock.GetUtcNow();
        var sinceReport = Stopwatch.StartNew();
        var stuck = Stopwatch.StartNew();
        var lastInFlight = -1;
        var idleChecks = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var inFlight = Broker.InFlight;
            var pending = Broker.PendingRetries;
            // Work the last clock step released (a retry, a reminder's turn, a deactivation) must have run before idle counts.
            if (inFlight == 0 && pending == 0 && Resiliency.RetriesWaiting == 0 && !ClockWork.HasReleasedWork)
            {
                // Twice in a row a little apart: a delivery may be between two counters.
                if (++idleChecks >= 3)
                {
                    return Clock.GetUtcNow() - start;
                }

                await Task.Delay(5, cancellationToken);
                continue;
            }

            idleChecks = 0;
            if (progress is not null && sinceReport.Elapsed > TimeSpan.FromSeconds(10))
            {
                progress($"  driving: in flight {inFlight}, waiting on the clock {pending}, actor/invocation retries {Resiliency.RetriesWaiting}, virtual +{Clock.GetUtcNow() - start}");
                sinceReport.Restart();
            }

            if (inFlight != lastInFlight)
            {
                lastInFlight = inFlight;
                stuck.Restart();
            }

            // Deliveries in flight are working and the clock must not overtake them, unless they stopped moving while
            // actor or invocation calls wait for a retry on the clock (others queue behind those actors' turns); a
            // delivery that makes no progress for long in real time waits for something only the clock ends (a timeout).
            var sleepingOnClock = (inFlight == 0 && pending > 0)
                || (Resiliency.RetriesWaiting > 0 && (inFlight <= Resiliency.RetriesWaiting || stuck.Elapsed > WaitingOnRetriesAfter))
                || stuck.Elapsed > StuckAfter;
            if (sleepingOnClock)
            {
                if (Clock.GetUtcNow() - start >= limit)
                {
                    throw new TimeoutException($"still busy after {limit} of virtual time: in flight {inFlight}, pending retries {pending}, actor/invocation retries {Resiliency.RetriesWaiting}");
                }

                // Only sleepers left (delivery retries 5 s apart, Delay faults): a bigger step loses nothing. Actor and
                // invocation retries are 1 s apart and other deliveries may be running: one second at a time.
                var step = inFlight == 0 && Resiliency.RetriesWaiting == 0 ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(1);
                try
                {
                    // Deliveries may stay in flight across the step (this driver moves the clock under them on purpose).
                    await Emulator.AdvanceClockAsync(step, waitForDeliveries: false, StuckAfter, cancellationToken);
                }
                catch (TimeoutException ex)
                {
                    // Released work blocked on something only a later step ends (a timeout on the clock): drive on.
                    progress?.Invoke($"  driving: {ex.Message}");
                }

                stuck.Restart();
            }

            await Task.Delay(2, cancellationToken);
        }
    }

    /// <summary>A copy of components/shared whose deliveryRetry allows <paramref name="maxRetries"/> retries.</summary>
    private static string SharedResourcesWithDeliveryRetries(int maxRetries)
    {
        var source = Path.Combine(RepositoryRoot.Path, "components", "shared");
        var copy = Directory.CreateTempSubdirectory("daprorders-chaos-resources-").FullName;
        foreach (var file in Directory.EnumerateFiles(source, "*.yaml"))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        var resiliency = Path.Combine(copy, "resiliency.yaml");
        var text = File.ReadAllText(resiliency);
        var block = DeliveryRetryMaxRetries().Matches(text);
        if (block.Count != 1)
        {
            throw new InvalidOperationException($"expected one deliveryRetry with maxRetries in {resiliency}, found {block.Count}");
        }

        File.WriteAllText(resiliency, DeliveryRetryMaxRetries().Replace(text, m => m.Groups["head"].Value + maxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return copy;
    }

    // deliveryRetry's own block: its indented keys up to maxRetries, never another policy's.
    [System.Text.RegularExpressions.GeneratedRegex(@"(?<head>\n(?<indent> +)deliveryRetry:\n(?:\k<indent> +(?!maxRetries)\w+:.*\n)*\k<indent> +maxRetries: *)\d+")]
    private static partial System.Text.RegularExpressions.Regex DeliveryRetryMaxRetries();

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        // Sidecars first, so that nothing is delivered into a service that is shutting down.
        await Emulator.DisposeAsync();
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        _loggerFactory.Dispose();
    }
}
