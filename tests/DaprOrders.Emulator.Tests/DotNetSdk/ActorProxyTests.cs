using System.Net;
using Dapr.Actors;
using Dapr.Actors.Client;
using Dapr.Actors.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Emulator.Tests.DotNetSdk;

/// <summary>The actor interface the SDK's typed (remoting) proxy is generated from.</summary>
public interface ICounterActor : IActor
{
    Task<int> IncrementAsync(int by);

    /// <summary>Registers a reminder that adds <paramref name="by"/> when it fires once.</summary>
    Task ArmReminderAsync(int by);
}

/// <summary>An actor with state, hosted by Dapr.Actors.AspNetCore: state changes are saved after every call.</summary>
public sealed class CounterActor(ActorHost host) : Actor(host), ICounterActor, IRemindable
{
    public async Task<int> IncrementAsync(int by)
    {
        var current = await StateManager.TryGetStateAsync<int>("count");
        var next = (current.HasValue ? current.Value : 0) + by;
        await StateManager.SetStateAsync("count", next);
        return next;
    }

    public Task ArmReminderAsync(int by) =>
        RegisterReminderAsync("bump", BitConverter.GetBytes(by), TimeSpan.Zero, TimeSpan.FromMilliseconds(-1));

    public async Task ReceiveReminderAsync(string reminderName, byte[] state, TimeSpan dueTime, TimeSpan period) =>
        await IncrementAsync(BitConverter.ToInt32(state));
}

/// <summary>
/// The official .NET SDK's actor proxies (Dapr.Actors 1.19.1, HTTP only) against an app hosting actors with
/// Dapr.Actors.AspNetCore, both through the emulator's actor API (https://docs.dapr.io/reference/api/actors_api/).
/// </summary>
public sealed class ActorProxyTests
{
    // The same check as the JavaScript suite's "actor" (tests/js/sdk-conformance.mjs): 2 then 3 gives 2 then 5,
    // because the state the first call saved is there for the second; here the typed proxy makes the first call and
    // the untyped (JSON) proxy the second.
    [Fact]
    public async Task Typed_and_untyped_proxies_call_the_same_actor_and_see_its_saved_state_like_the_js_sdk()
    {
        await using var host = await ActorApp.StartAsync();
        var options = new ActorProxyOptions { HttpEndpoint = host.HttpEndpoint };

        var typed = new ActorProxyFactory(options).CreateActorProxy<ICounterActor>(new ActorId("counter-1"), nameof(CounterActor));
        var first = await typed.IncrementAsync(2);
        var untyped = ActorProxy.Create(new ActorId("counter-1"), nameof(CounterActor), options);
        var second = await untyped.InvokeMethodAsync<int, int>(nameof(ICounterActor.IncrementAsync), 3);

        Assert.Equal(2, first);
        Assert.Equal(5, second);
        Assert.Equal(6, await ActorProxy.Create<ICounterActor>(new ActorId("counter-1"), nameof(CounterActor), options).IncrementAsync(1));
    }

    [Fact]
    public async Task A_reminder_the_actor_registers_fires_through_the_sdk_runtime()
    {
        await using var host = await ActorApp.StartAsync();
        var proxy = ActorProxy.Create<ICounterActor>(new ActorId("counter-2"), nameof(CounterActor),
            new ActorProxyOptions { HttpEndpoint = host.HttpEndpoint });

        await proxy.ArmReminderAsync(4);

        await Eventually.UntilAsync(() => proxy.IncrementAsync(0), count => count == 4, "the reminder to add 4");
    }

    /// <summary>An ASP.NET Core app hosting <see cref="CounterActor"/> and the emulator sidecar in front of it.</summary>
    private sealed class ActorApp : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly DaprEmulator _emulator;
        private readonly Infrastructure.ResourceFolder _resources;

        private ActorApp(WebApplication app, DaprEmulator emulator, Infrastructure.ResourceFolder resources)
        {
            _app = app;
            _emulator = emulator;
            _resources = resources;
        }

        /// <summary>The sidecar's HTTP endpoint as DAPR_HTTP_ENDPOINT gives it: no trailing slash, which the actor proxies need.</summary>
        public string HttpEndpoint => _emulator["actorapp"].HttpEndpoint.ToString().TrimEnd('/');

        public static async Task<ActorApp> StartAsync()
        {
            // The app needs the sidecar's HTTP port before the sidecar starts (the SDK runtime saves actor state there).
            var ports = LoopbackPorts.Free(2);
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, ports[0]));
            builder.Services.AddActors(options =>
            {
                options.Actors.RegisterActor<CounterActor>();
                options.HttpEndpoint = $"http://127.0.0.1:{ports[1]}";
            });
            var app = builder.Build();
            app.MapActorsHandlers();
            await app.StartAsync();

            var resources = new Infrastructure.ResourceFolder().WithStateStore(metadata: "    - name: actorStateStore\n      value: \"true\"\n");
            var options = new EmulatorOptions();
            options.ResourcesPaths.Add(resources.Path);
            options.Apps.Add(new EmulatedAppOptions { AppId = "actorapp", AppPort = ports[0], DaprHttpPort = ports[1] });
            var emulator = await DaprEmulator.StartAsync(options);
            var host = new ActorApp(app, emulator, resources);
            try
            {
                await emulator.WaitForAppsReadyAsync(Infrastructure.EmulatorTestBed.Deadline);
            }
            catch
            {
                await host.DisposeAsync();
                throw;
            }

            return host;
        }

        public async ValueTask DisposeAsync()
        {
            await _emulator.DisposeAsync();
            await _app.StopAsync();
            await _app.DisposeAsync();
            _resources.Dispose();
        }
    }
}
