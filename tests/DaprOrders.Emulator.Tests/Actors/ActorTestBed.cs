using System.Net.Http.Headers;
using System.Text;
using DaprOrders.Emulator.Actors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DaprOrders.Emulator.Tests.Actors;

/// <summary>
/// An emulator with app "host" (an <see cref="ActorHostApp"/> hosting actors) and app "client" (no port), an actor
/// state store, and a fake clock that tests advance.
/// </summary>
internal sealed class ActorTestBed : IAsyncDisposable
{
    private const string ActorStateStoreYaml = """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: actorstore
        spec:
          type: state.in-memory
          version: v1
          metadata:
            - name: actorStateStore
              value: "true"
        """;

    private readonly string _root;

    private ActorTestBed(ActorHostApp app, DaprEmulator emulator, FakeTimeProvider clock, string root)
    {
        App = app;
        Emulator = emulator;
        Clock = clock;
        _root = root;
        Http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    }

    public ActorHostApp App { get; }

    public DaprEmulator Emulator { get; }

    public FakeTimeProvider Clock { get; }

    public HttpClient Http { get; }

    public ActorRuntime Runtime => Emulator.Services.GetRequiredService<ActorRuntime>();

    public static async Task<ActorTestBed> StartAsync(string? configJson, string? extraResourcesYaml = null, string? configurationYaml = null)
    {
        var root = Directory.CreateTempSubdirectory("actors-").FullName;
        var resourcesPath = Directory.CreateDirectory(Path.Combine(root, "resources")).FullName;
        await File.WriteAllTextAsync(Path.Combine(resourcesPath, "actorstore.yaml"), ActorStateStoreYaml);
        if (extraResourcesYaml is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(resourcesPath, "extra.yaml"), extraResourcesYaml);
        }

        var app = await ActorHostApp.StartAsync(configJson);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var options = new EmulatorOptions { TimeProvider = clock, DisableRetryJitter = true };
        options.ResourcesPaths.Add(resourcesPath);
        if (configurationYaml is not null)
        {
            options.ConfigFilePath = Path.Combine(root, "config.yaml");
            await File.WriteAllTextAsync(options.ConfigFilePath, configurationYaml);
        }

        options.Apps.Add(new EmulatedAppOptions { AppId = "host", AppPort = app.Port });
        options.Apps.Add(new EmulatedAppOptions { AppId = "client" });
        var emulator = await DaprEmulator.StartAsync(options);
        await emulator.WaitForAppsReadyAsync(TimeSpan.FromSeconds(30));
        return new ActorTestBed(app, emulator, clock, root);
    }

    public Uri Url(string appId, string path) => new(Emulator[appId].HttpEndpoint, path);

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string appId, string path, string? json = null)
    {
        var request = new HttpRequestMessage(method, Url(appId, path));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        return Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostAsync(string appId, string path, string json) => SendAsync(HttpMethod.Post, appId, path, json);

    /// <summary>Advances the fake clock and returns once the reminders, timers, deactivations and retries it released have run.</summary>
    public Task AdvanceAsync(TimeSpan by) => Emulator.AdvanceClockAsync(by, waitForDeliveries: false, TimeSpan.FromSeconds(30));

    /// <summary>Advances the fake clock one step at a time until <paramref name="done"/> completes (retries wait on it).</summary>
    public async Task<T> AdvanceUntilAsync<T>(Task<T> done, TimeSpan step)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!done.IsCompleted)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the call did not complete while advancing the clock");
            }

            await AdvanceAsync(step);
            await Task.WhenAny(done, Task.Delay(TimeSpan.FromMilliseconds(10)));
        }

        return await done;
    }

    /// <summary>Polls until <paramref name="condition"/> holds (background work such as deactivation runs after a clock step).</summary>
    public static Task EventuallyAsync(Func<bool> condition, string what) =>
        Eventually.UntilAsync(() => Task.FromResult(condition()), what, timeout: TimeSpan.FromSeconds(20));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Emulator.DisposeAsync();
        await App.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}
