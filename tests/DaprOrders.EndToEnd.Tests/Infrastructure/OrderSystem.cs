extern alias audit;
extern alias inventory;
extern alias notification;
extern alias ordering;
extern alias payment;

using DaprOrders.Emulator;
using DaprOrders.Emulator.Faults;
using DaprOrders.Emulator.PubSub;
using DaprOrders.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace DaprOrders.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The whole system for one test: the emulator with the repository's in-memory components on a virtual clock, and the
/// five services in-process on real loopback ports. Nothing here is test-only in the services: they see the same
/// environment variables real Dapr gives them.
/// </summary>
public sealed class OrderSystem : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(30);

    private readonly List<IInProcessService> _hosts;
    private readonly Dictionary<string, HttpClient> _clients;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly ITestOutputHelper? _output;

    private OrderSystem(DaprEmulator emulator, FakeTimeProvider clock, List<IInProcessService> hosts, DeliveryLog deliveries, ILoggerFactory? loggerFactory, ITestOutputHelper? output, string operatorToken)
    {
        _output = output;
        OperatorToken = operatorToken;
        Emulator = emulator;
        Clock = clock;
        Deliveries = deliveries;
        _hosts = hosts;
        _loggerFactory = loggerFactory;
        _clients = hosts.ToDictionary(h => h.AppId, h => h.CreateApiClient(), StringComparer.Ordinal);
        // daprd's outbox publishes order.created about 1 s after the commit: the clock lets that second pass after a POST.
        _clients["ordering"] = ClockReleasingHandler.ReleasingOutbox(_clients["ordering"], emulator, SettleTimeout);
        // daprd flushes Audit's bulk deliveries on a ticker: before a question to Audit, the clock lets open windows pass.
        _clients["audit"] = ClockReleasingHandler.ReleasingBulkWindows(_clients["audit"], emulator, SettleTimeout);
    }

    public DaprEmulator Emulator { get; }

    /// <summary>The operator token the services were given; the API clients below send it.</summary>
    public string OperatorToken { get; }

    /// <summary>Every pub/sub delivery into every service, recorded on the app side (see <see cref="DeliveryLog"/>).</summary>
    public DeliveryLog Deliveries { get; }

    public PubSubBroker Broker => Emulator.Services.GetRequiredService<PubSubBroker>();

    /// <summary>Faults injected into pub/sub deliveries (duplicates, failures, delays, drops).</summary>
    public FaultInjection Faults => Emulator.Services.GetRequiredService<FaultInjection>();

    /// <summary>The emulator's clock: retries, reminders and deadlines move only when a test advances it.</summary>
    public FakeTimeProvider Clock { get; }

    public HttpClient Ordering => _clients["ordering"];

    public HttpClient Inventory => _clients["inventory"];

    public HttpClient Payment => _clients["payment"];

    public HttpClient Notification => _clients["notification"];

    public HttpClient Audit => _clients["audit"];

    public static async Task<OrderSystem> StartAsync(Action<OrderSystemOptions>? configure = null)
    {
        var options = new OrderSystemOptions();
        configure?.Invoke(options);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(options);
            }
            catch (Exception ex) when (attempt < 3)
            {
                // Start-up races outside the system under test: another process took a chosen port, a sidecar could not
                // read an app's subscriptions, WebApplicationFactory's host raced its own start. Start again on new ports;
                // a real defect fails every attempt.
                options.Output?.WriteLine($"start attempt {attempt} failed, starting again: {ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    private static async Task<OrderSystem> StartOnceAsync(OrderSystemOptions options)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));

        string[] appIds = ["ordering", "inventory", "payment", "notification", "audit"];
        // App and sidecar ports are chosen together, all distinct: a sidecar left to pick its own ephemeral port
        // could pick an app port that was free a moment ago.
        var free = LoopbackPorts.Free(appIds.Length * 3);
        var ports = appIds.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => free[x.i], StringComparer.Ordinal);
        var sidecarPorts = appIds.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => free[appIds.Length + x.i], StringComparer.Ordinal);
        var grpcPorts = appIds.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => free[(2 * appIds.Length) + x.i], StringComparer.Ordinal);

        // Same resources as `dapr run -f .` (dapr.yaml): the in-memory components plus the shared resiliency policy.
        // A fixed seed makes fractional fault injection repeatable.
        var emulatorOptions = new EmulatorOptions { TimeProvider = clock, RandomSeed = 20261123, DisableRetryJitter = true };
        emulatorOptions.ResourcesPaths.Add(Path.Combine(RepositoryRoot.Path, "components", "shared"));
        emulatorOptions.ResourcesPaths.Add(Path.Combine(RepositoryRoot.Path, "components", "in-memory"));
        emulatorOptions.ResourcesPaths.AddRange(options.ExtraResourcesPaths);
        foreach (var appId in appIds)
        {
            emulatorOptions.Apps.Add(new EmulatedAppOptions { AppId = appId, AppPort = ports[appId], DaprHttpPort = sidecarPorts[appId], DaprGrpcPort = grpcPorts[appId] });
        }

        var loggerFactory = options.LoggerFactory;
        ILoggerFactory? ownedLoggerFactory = null;
        ILoggerProvider? logs = null;
        if (loggerFactory is null && options.Output is not null)
        {
            logs = new TestOutputLoggerProvider(options.Output, options.MinimumLogLevel);
            loggerFactory = ownedLoggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(options.MinimumLogLevel).AddProvider(logs));
        }

        var deliveries = new DeliveryLog();
        var hosts = new List<IInProcessService>();
        DaprEmulator? emulator = null;
        try
        {
            IInProcessService Host<TProgram>(string appId)
                where TProgram : class =>
                new InProcessService<TProgram>(appId, ports[appId], new Uri($"http://127.0.0.1:{sidecarPorts[appId]}"), options.SettingsFor(appId),
                    [deliveries.StartupFilterFor(appId), .. options.StartupFiltersFor(appId)], logs, grpcEndpoint: new Uri($"http://127.0.0.1:{grpcPorts[appId]}"));

            // Apps first, as `dapr run` starts them: each waits for its sidecar in the background, and the sidecars
            // find the app ports already open instead of probing ports that are still closed.
            hosts.Add(Host<ordering::Program>("ordering"));
            hosts.Add(Host<inventory::Program>("inventory"));
            hosts.Add(Host<payment::Program>("payment"));
            hosts.Add(Host<notification::Program>("notification"));
            hosts.Add(Host<audit::Program>("audit"));
            foreach (var host in hosts)
            {
                host.Start();
            }

            emulator = await DaprEmulator.StartAsync(emulatorOptions, loggerFactory);
            await emulator.WaitForAppsReadyAsync(ReadyTimeout);
            var broker = emulator.Services.GetRequiredService<PubSubBroker>();
            var unsubscribed = appIds.Where(id => broker.SubscriptionsOf(id).Count == 0).ToList();
            if (unsubscribed.Count > 0)
            {
                // Every service subscribes to something; none means the sidecar's GET /dapr/subscribe failed.
                throw new SubscriptionsMissingException($"no subscriptions loaded for {string.Join(", ", unsubscribed)}");
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

            ownedLoggerFactory?.Dispose();
            throw;
        }

        return new OrderSystem(emulator, clock, hosts, deliveries, ownedLoggerFactory, options.Output, options.OperatorToken);
    }

    /// <summary>
    /// Moves the virtual clock forward by <paramref name="total"/> in steps of <paramref name="step"/>, each through
    /// <see cref="DaprEmulator.AdvanceClockAsync"/>: before a step nothing is queued or in delivery (so retry timers
    /// exist before the clock passes them), and a step returns once the retries, reminders and deactivations it
    /// released have run.
    /// </summary>
    public async Task AdvanceClockAsync(TimeSpan total, TimeSpan step)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(step, TimeSpan.Zero);
        for (var moved = TimeSpan.Zero; moved < total; moved += step)
        {
            await Emulator.AdvanceClockAsync(step < total - moved ? step : total - moved, timeout: SettleTimeout);
        }

        await Emulator.WaitForClockWorkAsync(includeDeliveries: true, SettleTimeout);
    }

    /// <summary>
    /// Lets the system come to rest: waits until no message is queued or in delivery, and while deliveries wait for a
    /// retry (a handler answered RETRY, e.g. after losing an ETag race to a duplicate) moves the clock one second at a
    /// time so the retries run, like real time would. While only bulk-subscribe batches wait (Audit's deliveries), it
    /// moves the clock just to their flush instead. Fails if it is still busy after <paramref name="limit"/> of virtual
    /// time (default 60 s, well below the saga deadline).
    /// </summary>
    public async Task QuiesceAsync(TimeSpan? limit = null)
    {
        var start = Clock.GetUtcNow();
        while (true)
        {
            await Emulator.WaitForClockWorkAsync(includeDeliveries: true, SettleTimeout);
            if (Broker.PendingRetries == 0)
            {
                await Broker.WaitForIdleAsync(SettleTimeout);
                return;
            }

            if (Broker.PendingRetries == Broker.InBulkWindows)
            {
                await Emulator.ReleaseBulkWindowsAsync(SettleTimeout);
                continue;
            }

            if (Clock.GetUtcNow() - start >= (limit ?? TimeSpan.FromSeconds(60)))
            {
                throw new Xunit.Sdk.XunitException($"still retrying after {limit ?? TimeSpan.FromSeconds(60)} of virtual time:{Environment.NewLine}{DescribeTraffic()}");
            }

            await Emulator.AdvanceClockAsync(TimeSpan.FromSeconds(1), timeout: SettleTimeout);
        }
    }

    /// <summary>Advances the clock step by step until <paramref name="condition"/> holds; fails after <paramref name="limit"/> of virtual time.</summary>
    public async Task AdvanceClockUntilAsync(Func<Task<bool>> condition, TimeSpan step, TimeSpan limit, string awaited)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var start = Clock.GetUtcNow();
        while (!await condition())
        {
            if (Clock.GetUtcNow() - start >= limit)
            {
                throw new Xunit.Sdk.XunitException($"{awaited} did not happen within {limit} of virtual time.");
            }

            await AdvanceClockAsync(step, step);
        }
    }

    /// <summary>What moved through the broker, for failure diagnosis: published counts per topic and deliveries per app and type.</summary>
    public string DescribeTraffic()
    {
        var published = string.Join(", ", Broker.PublishedCounts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
        var delivered = string.Join(
            Environment.NewLine + "  ",
            Deliveries.All.GroupBy(d => (d.AppId, d.Path, d.Type)).OrderBy(g => g.Key.AppId, StringComparer.Ordinal).ThenBy(g => g.Key.Path, StringComparer.Ordinal)
                .Select(g => $"{g.Key.AppId} {g.Key.Path} {g.Key.Type}: {g.Count()}"));
        return $"published: {published}{Environment.NewLine}in flight {Broker.InFlight}, pending retries {Broker.PendingRetries}, virtual time +{Clock.GetUtcNow() - Clock.Start}{Environment.NewLine}deliveries:{Environment.NewLine}  {delivered}";
    }

    public async ValueTask DisposeAsync()
    {
        if (_output is not null)
        {
            try
            {
                _output.WriteLine("--- traffic ---" + Environment.NewLine + DescribeTraffic());
            }
            catch (InvalidOperationException)
            {
                // Output no longer accepted.
            }
        }

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

        _loggerFactory?.Dispose();
    }
}

/// <summary>Per-test settings: configuration overrides per app-id, extra resources (e.g. a test resiliency policy).</summary>
public sealed class OrderSystemOptions
{
    private readonly Dictionary<string, Dictionary<string, string?>> _settings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<IStartupFilter>> _startupFilters = new(StringComparer.Ordinal);

    public List<string> ExtraResourcesPaths { get; } = [];

    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>When set (and <see cref="LoggerFactory"/> is not), emulator and service logs go to the test output.</summary>
    public ITestOutputHelper? Output { get; set; }

    public LogLevel MinimumLogLevel { get; set; } = LogLevel.Warning;

    /// <summary>The operator token every service is given; the system's API clients send it (operator endpoints).</summary>
    public string OperatorToken { get; set; } = "end-to-end-operator-token";

    public OrderSystemOptions Set(string appId, string key, string? value)
    {
        if (!_settings.TryGetValue(appId, out var settings))
        {
            _settings[appId] = settings = new Dictionary<string, string?>(StringComparer.Ordinal);
        }

        settings[key] = value;
        return this;
    }

    /// <summary>Middleware in front of one app's pipeline (e.g. a gate on its deliveries); the app's code is unchanged.</summary>
    public OrderSystemOptions AddStartupFilter(string appId, IStartupFilter filter)
    {
        if (!_startupFilters.TryGetValue(appId, out var filters))
        {
            _startupFilters[appId] = filters = [];
        }

        filters.Add(filter);
        return this;
    }

    internal IReadOnlyList<IStartupFilter> StartupFiltersFor(string appId) => _startupFilters.GetValueOrDefault(appId) ?? [];

    internal IReadOnlyDictionary<string, string?> SettingsFor(string appId)
    {
        var settings = new Dictionary<string, string?>(_settings.GetValueOrDefault(appId) ?? [], StringComparer.Ordinal);
        settings.TryAdd("OperatorAccess:Token", OperatorToken);
        return settings;
    }
}

/// <summary>A sidecar came up without the subscriptions of its app (its GET /dapr/subscribe failed).</summary>
internal sealed class SubscriptionsMissingException(string message) : Exception(message);
