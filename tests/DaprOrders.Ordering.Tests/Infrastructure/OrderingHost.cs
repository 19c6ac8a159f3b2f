using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DaprOrders.Contracts;
using DaprOrders.Emulator.Actors;
using DaprOrders.Emulator.Faults;
using DaprOrders.Emulator.PubSub;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace DaprOrders.Ordering.Tests.Infrastructure;

/// <summary>
/// The Ordering service in-process with the emulator as its sidecar (<see cref="ServiceOnEmulator{TProgram}"/>), both on
/// one virtual clock (<see cref="AdvanceClockAsync"/>). State and publishes go over gRPC, reminders over the
/// sidecar's HTTP actor API.
/// <see cref="Faults"/> sees (and can fail) every call the service makes to its sidecar; what it publishes on
/// its topics is recorded. The broker does not deliver to Ordering itself: the tests deliver events as daprd would, one
/// step at a time; the sidecar fires the deadline reminders into the service when the clock reaches them.
/// </summary>
internal sealed class OrderingHost : IAsyncDisposable
{
    public const string AppId = "ordering";
    public const string ExecuteStateTransaction = "/dapr.proto.runtime.v1.Dapr/ExecuteStateTransaction";
    public const string GetState = "/dapr.proto.runtime.v1.Dapr/GetState";
    public const string PublishEvent = "/dapr.proto.runtime.v1.Dapr/PublishEvent";

    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(30);

    private readonly ServiceOnEmulator<Program> _service;
    private readonly IDisposable _noDeliveries;
    private readonly List<IAsyncDisposable> _otherInstances = [];

    private OrderingHost(ServiceOnEmulator<Program> service, SidecarFaults faults, FakeTimeProvider clock)
    {
        _service = service;
        Faults = faults;
        Clock = clock;
        Client = ClockReleasingHandler.ReleasingOutbox(service.Client, service.Emulator, SettleTimeout);
        _noDeliveries = service.Emulator.Services.GetRequiredService<FaultInjection>().Drop(appId: AppId);
    }

    public FakeTimeProvider Clock { get; }

    public SidecarFaults Faults { get; }

    /// <summary>
    /// The service's public API, without any token. After a POST it lets virtual time pass until daprd's outbox has
    /// published what the request's transaction wrote (about 1 s after the commit).
    /// </summary>
    public HttpClient Client { get; }

    public static async Task<OrderingHost> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var faults = new SidecarFaults();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        var service = await ServiceOnEmulator<Program>.StartAsync(AppId, options =>
        {
            options.RecordedTopics.AddRange(EventCatalog.TopicsPublishedBy(AppIds.Ordering));
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                options.Settings[key] = value;
            }

            options.EmulatorClock = clock;
            options.ConfigureServices = services => Configure(services, faults, clock);
        });
        return new OrderingHost(service, faults, clock);
    }

    /// <summary>
    /// A second instance of the service on the same sidecar, for its API only (daprd delivers to the first): both share
    /// the state store, as replicas do, and <see cref="Faults"/> and <see cref="Clock"/>. Disposed with the host.
    /// </summary>
    public HttpClient StartAnotherInstance()
    {
        var sidecar = _service.Emulator[AppId];
        var settings = new Dictionary<string, string?>(_service.Options.Settings, StringComparer.Ordinal)
        {
            ["DAPR_API_TOKEN"] = _service.Options.DaprApiToken,
            ["APP_API_TOKEN"] = _service.Options.AppApiToken,
        };
        var other = new InProcessService<Program>(AppId, LoopbackPorts.Free(1)[0], sidecar.HttpEndpoint, settings, [], logs: null,
            grpcEndpoint: sidecar.GrpcEndpoint, configureServices: services => Configure(services, Faults, Clock));
        _otherInstances.Add(other);
        other.Start();
        return ClockReleasingHandler.ReleasingOutbox(other.CreateApiClient(), _service.Emulator, SettleTimeout);
    }

    /// <summary>Moves the clock of the service and its sidecar, and waits until the work it released (a reminder's turn) is done.</summary>
    public Task AdvanceClockAsync(TimeSpan by) => _service.Emulator.AdvanceClockAsync(by);

    /// <summary>The stored JSON of a key of <c>orderstore</c>, or null.</summary>
    public async Task<JsonNode?> StateAsync(string key) =>
        await _service.Dapr.GetStateAsync<JsonNode?>("orderstore", key);

    public Task SetStateAsync(string key, JsonNode value) => _service.Dapr.SaveStateAsync("orderstore", key, value);

    /// <summary>The <paramref name="name"/> reminder of an <c>OrderProcess</c> actor as the sidecar holds it, or null.</summary>
    public ActorReminderRegistration? Reminder(string actorId, string name) =>
        _service.Emulator.Services.GetRequiredService<ActorReminders>().Get(AppId, "OrderProcess", actorId, name);

    /// <summary>The events of <paramref name="type"/> published on its topic so far, once nothing is in flight any more.</summary>
    public async Task<IReadOnlyList<JsonElement>> PublishedAsync(string type)
    {
        await _service.Emulator.Services.GetRequiredService<PubSubBroker>().WaitForIdleAsync(SettleTimeout);
        return [.. _service.Published(Topics.Of(type)).Where(e => e.GetProperty("type").GetString() == type)];
    }

    /// <summary>A call from the sidecar to the app (actor routes, <c>/dapr/*</c>), with the app token as daprd sends it.</summary>
    public async Task<HttpResponseMessage> SendAsSidecarAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        request.Headers.Add("dapr-api-token", _service.Options.AppApiToken);
        return await Client.SendAsync(request);
    }

    /// <summary>
    /// Delivers <paramref name="data"/> as a CloudEvent of <paramref name="type"/> to <paramref name="path"/> the way
    /// daprd does, and returns the <c>status</c> the service answered, or the HTTP status code when it failed.
    /// </summary>
    public Task<string> DeliverAsync(string path, string type, object data, string? id = null) =>
        _service.DeliverAsync(path, type, data, id);

    /// <summary>Delivers a structured CloudEvent to <paramref name="path"/> the way daprd does.</summary>
    public Task<HttpResponseMessage> PostCloudEventAsync(string path, string cloudEventJson) =>
        _service.PostCloudEventAsync(path, cloudEventJson);

    /// <summary>The one gRPC message a recorded call carried (after the 5-byte gRPC frame header).</summary>
    public static T GrpcMessage<T>(SidecarCall call, MessageParser<T> parser)
        where T : IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(parser);
        return parser.ParseFrom(call.Content.Span[5..]);
    }

    public static HttpRequestMessage PostOrders(string body, string contentType)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = content };
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        _noDeliveries.Dispose();
        foreach (var other in _otherInstances)
        {
            await other.DisposeAsync();
        }

        await _service.DisposeAsync();
    }

    private static void Configure(IServiceCollection services, SidecarFaults faults, FakeTimeProvider clock)
    {
        services.RemoveAll<TimeProvider>();
        services.AddSingleton<TimeProvider>(clock);
        faults.AddDaprClient(services);
        faults.AddActorProxies(services);
        faults.AddActorReminders(services);
    }
}
