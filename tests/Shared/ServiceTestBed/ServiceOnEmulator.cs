using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dapr.Client;
using DaprOrders.Contracts;
using DaprOrders.Emulator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.Testing;

/// <summary>How a <see cref="ServiceOnEmulator{TProgram}"/> starts.</summary>
internal sealed class ServiceOnEmulatorOptions
{
    /// <summary>Settings the service reads from configuration, beside the Dapr variables the test bed sets.</summary>
    public Dictionary<string, string?> Settings { get; } = new(StringComparer.Ordinal);

    /// <summary>Replaces services of the host (a fake clock, a scripted channel), after the service's own registrations.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }

    /// <summary>Topics whose published events <see cref="ServiceOnEmulator{TProgram}.Published"/> records.</summary>
    public List<string> RecordedTopics { get; } = [];

    /// <summary>App id of the recording subscriber; the components let Audit subscribe to every topic.</summary>
    public string RecorderAppId { get; set; } = "audit";

    /// <summary>The emulator's clock (retries, reminders, timers, idle deactivation); a fake one moves only when the test advances it.</summary>
    public TimeProvider EmulatorClock { get; set; } = TimeProvider.System;

    public string DaprApiToken { get; set; } = "sidecar-token";

    public string AppApiToken { get; set; } = "app-token";
}

/// <summary>
/// One DaprOrders service in-process on a real loopback port, with the emulator as its sidecar on the repository's
/// in-memory components: the service gets <c>DAPR_GRPC_ENDPOINT</c>, <c>DAPR_HTTP_ENDPOINT</c>, <c>DAPR_API_TOKEN</c>
/// and <c>APP_API_TOKEN</c> as daprd's injector would give them, so its <see cref="DaprClient"/> speaks gRPC to the
/// emulator for state and pub/sub. Tests deliver CloudEvents to the service as daprd does (<see cref="DeliverAsync"/>),
/// read and seed state through <see cref="Dapr"/>, and see what it published through a recording subscriber.
/// </summary>
internal sealed class ServiceOnEmulator<TProgram> : IAsyncDisposable
    where TProgram : class
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private readonly InProcessService<TProgram> _service;
    private readonly TopicRecorder? _recorder;

    private ServiceOnEmulator(string appId, InProcessService<TProgram> service, DaprEmulator emulator, TopicRecorder? recorder,
        DaprClient dapr, ServiceOnEmulatorOptions options)
    {
        AppId = appId;
        _service = service;
        Emulator = emulator;
        _recorder = recorder;
        Dapr = dapr;
        Options = options;
        Client = service.CreateApiClient();
    }

    public string AppId { get; }

    public DaprEmulator Emulator { get; }

    /// <summary>A client on the service's own sidecar, to seed and read its state (keys are prefixed with the app id as daprd does).</summary>
    public DaprClient Dapr { get; }

    /// <summary>The service's HTTP API, without any token.</summary>
    public HttpClient Client { get; }

    public ServiceOnEmulatorOptions Options { get; }

    public IServiceProvider Services => _service.Services;

    public static async Task<ServiceOnEmulator<TProgram>> StartAsync(string appId, Action<ServiceOnEmulatorOptions>? configure = null)
    {
        var options = new ServiceOnEmulatorOptions();
        configure?.Invoke(options);
        var ports = LoopbackPorts.Free(3);
        TopicRecorder? recorder = options.RecordedTopics.Count > 0 ? await TopicRecorder.StartAsync(options.RecordedTopics) : null;

        var emulatorOptions = new EmulatorOptions { TimeProvider = options.EmulatorClock };
        emulatorOptions.ResourcesPaths.Add(Path.Combine(RepositoryRoot.Path, "components", "shared"));
        emulatorOptions.ResourcesPaths.Add(Path.Combine(RepositoryRoot.Path, "components", "in-memory"));
        emulatorOptions.Apps.Add(new EmulatedAppOptions
        {
            AppId = appId,
            AppPort = ports[0],
            DaprHttpPort = ports[1],
            DaprGrpcPort = ports[2],
            DaprApiToken = options.DaprApiToken,
            AppApiToken = options.AppApiToken,
        });
        if (recorder is not null)
        {
            emulatorOptions.Apps.Add(new EmulatedAppOptions { AppId = options.RecorderAppId, AppPort = recorder.Port });
        }

        var settings = new Dictionary<string, string?>(options.Settings, StringComparer.Ordinal)
        {
            ["DAPR_API_TOKEN"] = options.DaprApiToken,
            ["APP_API_TOKEN"] = options.AppApiToken,
        };
        var service = new InProcessService<TProgram>(appId, ports[0], new Uri($"http://127.0.0.1:{ports[1]}"), settings, [], logs: null,
            grpcEndpoint: new Uri($"http://127.0.0.1:{ports[2]}"), configureServices: options.ConfigureServices);
        DaprEmulator? emulator = null;
        try
        {
            // The app first, as `dapr run` starts it: the sidecar then finds its port open and reads its subscriptions.
            service.Start();
            emulator = await DaprEmulator.StartAsync(emulatorOptions);
            await emulator.WaitForAppsReadyAsync(ReadyTimeout);
            var dapr = new DaprClientBuilder()
                .UseGrpcEndpoint(emulator[appId].GrpcEndpoint.ToString())
                .UseHttpEndpoint(emulator[appId].HttpEndpoint.ToString())
                .UseDaprApiToken(options.DaprApiToken)
                .Build();
            return new ServiceOnEmulator<TProgram>(appId, service, emulator, recorder, dapr, options);
        }
        catch
        {
            if (emulator is not null)
            {
                await emulator.DisposeAsync();
            }

            await service.DisposeAsync();
            if (recorder is not null)
            {
                await recorder.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>
    /// CloudEvents published to any of <paramref name="topics"/> so far, in the order they arrived (each must be in
    /// <see cref="ServiceOnEmulatorOptions.RecordedTopics"/>).
    /// </summary>
    public IReadOnlyList<JsonElement> Published(params string[] topics) =>
        _recorder?.Received(topics) ?? throw new InvalidOperationException($"Topics {string.Join(", ", topics)} are not recorded; add them to RecordedTopics.");

    /// <summary>Delivers a structured CloudEvent to <paramref name="path"/> the way daprd does (with the app token).</summary>
    public async Task<HttpResponseMessage> PostCloudEventAsync(string path, string cloudEventJson)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(cloudEventJson)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json");
        request.Headers.Add("dapr-api-token", Options.AppApiToken);
        return await Client.SendAsync(request);
    }

    /// <summary>
    /// Delivers <paramref name="data"/> as a CloudEvent of <paramref name="type"/>, on the topic of that type unless
    /// <paramref name="topic"/> says otherwise, the way daprd does, and returns the <c>status</c> the service answered,
    /// or the HTTP status code when it failed (daprd retries a 500 like RETRY).
    /// </summary>
    public async Task<string> DeliverAsync(string path, string type, object data, string? id = null, string? topic = null)
    {
        var cloudEvent = new Dictionary<string, object?>
        {
            ["specversion"] = "1.0",
            ["id"] = id ?? Guid.NewGuid().ToString(),
            ["source"] = "ordering",
            ["type"] = type,
            ["datacontenttype"] = "application/json",
            ["topic"] = topic ?? (EventCatalog.TryGet(type, out var contract) ? contract.Topic : null),
            ["pubsubname"] = "pubsub",
            ["time"] = "2026-11-23T09:00:00Z",
            ["traceid"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ["data"] = data,
        };
        using var response = await PostCloudEventAsync(path, JsonSerializer.Serialize(cloudEvent));
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(body).RootElement.GetProperty("status").GetString()!
            : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Dapr.Dispose();
        await Emulator.DisposeAsync();
        await _service.DisposeAsync();
        if (_recorder is not null)
        {
            await _recorder.DisposeAsync();
        }
    }
}
