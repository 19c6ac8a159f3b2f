using System.Collections.Concurrent;
using System.Net;
using DaprOrders.Emulator.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Emulator.Tests.Actors;

/// <summary>
/// An app hosting actors on 127.0.0.1:0, the way the .NET and JS SDKs do: it answers GET /dapr/config with the given
/// JSON and actor callbacks with an async handler, so tests can hold a turn open and watch what the sidecar does.
/// </summary>
internal sealed class ActorHostApp : IAsyncDisposable
{
    private readonly WebApplication _web;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentDictionary<string, int> _inFlightByActor = new(StringComparer.Ordinal);
    private int _maxInFlightPerActor;

    private ActorHostApp(WebApplication web, string? configJson)
    {
        _web = web;
        ConfigJson = configJson;
    }

    public string? ConfigJson { get; }

    public int Port { get; private set; }

    /// <summary>Answers actor callbacks (method, remind, timer, deactivate); default: 200 with body "ok".</summary>
    public Func<RecordedRequest, Task<TestResponse>> Handler { get; set; } = _ => Task.FromResult(new TestResponse(200, "\"ok\""));

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToList();

    /// <summary>The most turns one actor id ever had in the app at the same time.</summary>
    public int MaxInFlightPerActor => Volatile.Read(ref _maxInFlightPerActor);

    public IReadOnlyList<RecordedRequest> RequestsTo(string method, string path) =>
        _requests.Where(r => r.Method == method && r.Path == path).ToList();

    public static async Task<ActorHostApp> StartAsync(string? configJson)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var web = builder.Build();
        var app = new ActorHostApp(web, configJson);
        web.Run(app.HandleAsync);
        await web.StartAsync();
        var address = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        app.Port = new Uri(address).Port;
        return app;
    }

    public Task<IReadOnlyList<RecordedRequest>> WaitForAsync(string method, string path, int count = 1) =>
        Eventually.UntilAsync(() => Task.FromResult(RequestsTo(method, path)), matching => matching.Count >= count,
            $"{count} x {method} {path}", TimeSpan.FromSeconds(20));

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var request = new RecordedRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "/",
            context.Request.QueryString.Value ?? string.Empty,
            context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
            buffer.ToArray(),
            DateTimeOffset.UtcNow);
        _requests.Enqueue(request);

        TestResponse response;
        if (request.Path == "/dapr/config")
        {
            response = ConfigJson is null ? new TestResponse(404) : TestResponse.Json(ConfigJson);
        }
        else if (request.Path == "/dapr/subscribe")
        {
            response = new TestResponse(404);
        }
        else
        {
            var actor = string.Join('/', request.Path.Split('/').Take(4));
            var inFlight = _inFlightByActor.AddOrUpdate(actor, 1, (_, n) => n + 1);
            InterlockedMax(ref _maxInFlightPerActor, inFlight);
            try
            {
                response = await Handler(request);
            }
            finally
            {
                _inFlightByActor.AddOrUpdate(actor, 0, (_, n) => n - 1);
            }
        }

        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers[name] = value;
        }

        if (response.Body is not null)
        {
            context.Response.ContentType = response.ContentType;
            await context.Response.WriteAsync(response.Body);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _web.StopAsync();
        await _web.DisposeAsync();
    }
}
