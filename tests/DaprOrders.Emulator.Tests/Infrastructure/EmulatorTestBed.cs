using System.Net.Http.Headers;
using System.Text;
using DaprOrders.Emulator.Faults;
using DaprOrders.Emulator.PubSub;
using DaprOrders.Emulator.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DaprOrders.Emulator.Tests.Infrastructure;

/// <summary>An emulator with test apps and a resources folder, plus shortcuts to call each app's sidecar.</summary>
public sealed class EmulatorTestBed : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly List<TestApp> _apps;

    private EmulatorTestBed(DaprEmulator emulator, ResourceFolder resources, List<TestApp> apps, FakeTimeProvider? clock)
    {
        Emulator = emulator;
        Resources = resources;
        _apps = apps;
        Clock = clock;
    }

    public DaprEmulator Emulator { get; }

    public ResourceFolder Resources { get; }

    public FakeTimeProvider? Clock { get; }

    public HttpClient Http { get; } = new();

    public PubSubBroker Broker => Emulator.Services.GetRequiredService<PubSubBroker>();

    public FaultInjection Faults => Emulator.Services.GetRequiredService<FaultInjection>();

    public StateStoreRegistry StateStores => Emulator.Services.GetRequiredService<StateStoreRegistry>();

    /// <summary>Starts the emulator over <paramref name="resources"/> with one sidecar per app (null app = no app port).</summary>
    public static async Task<EmulatorTestBed> StartAsync(
        ResourceFolder resources,
        IReadOnlyDictionary<string, TestApp?> apps,
        FakeTimeProvider? clock = null,
        Action<EmulatorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(apps);
        var options = new EmulatorOptions { RandomSeed = 42, DisableRetryJitter = true };
        options.ResourcesPaths.Add(resources.Path);
        if (clock is not null)
        {
            options.TimeProvider = clock;
        }

        foreach (var (appId, app) in apps)
        {
            options.Apps.Add(new EmulatedAppOptions { AppId = appId, AppPort = app?.Port });
            if (app is not null && clock is not null)
            {
                app.Clock = clock;
            }
        }

        configure?.Invoke(options);
        var emulator = await DaprEmulator.StartAsync(options);
        try
        {
            await emulator.WaitForAppsReadyAsync(Deadline);
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }

        return new EmulatorTestBed(emulator, resources, [.. apps.Values.OfType<TestApp>()], clock);
    }

    public Uri Sidecar(string appId, string pathAndQuery) => new(Emulator[appId].HttpEndpoint, pathAndQuery);

    public Task<HttpResponseMessage> PublishJsonAsync(string appId, string topic, string json, string pubsub = "pubsub", string query = "") =>
        PublishAsync(appId, topic, json, "application/json", pubsub, query);

    public async Task<HttpResponseMessage> PublishAsync(string appId, string topic, string body, string? contentType, string pubsub = "pubsub", string query = "")
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return await Http.PostAsync(Sidecar(appId, $"/v1.0/publish/{pubsub}/{topic}{query}"), content);
    }

    public async Task<HttpResponseMessage> PostJsonAsync(string appId, string pathAndQuery, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        return await Http.PostAsync(Sidecar(appId, pathAndQuery), content);
    }

    public Task WaitForIdleAsync() => Broker.WaitForIdleAsync(Deadline);

    /// <summary>
    /// Advances the fake clock and returns once the work it released has run (<see cref="DaprEmulator.AdvanceClockAsync"/>).
    /// <paramref name="waitForDeliveries"/> false lets a delivery hang in the app across the advance.
    /// </summary>
    public Task AdvanceAsync(TimeSpan by, bool waitForDeliveries = true) =>
        Emulator.AdvanceClockAsync(by, waitForDeliveries, Deadline);

    public async ValueTask DisposeAsync()
    {
        await Emulator.DisposeAsync();
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }

        Resources.Dispose();
        Http.Dispose();
    }
}
