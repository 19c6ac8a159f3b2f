using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Emulator.Tests.Infrastructure;

/// <summary>A request the app received from its sidecar.</summary>
public sealed record RecordedRequest(
    string Method,
    string Path,
    string QueryString,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body,
    DateTimeOffset ReceivedAt)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public JsonNode? Json => Body.Length == 0 ? null : JsonNode.Parse(Body);

    public string? Header(string name) => Headers.GetValueOrDefault(name.ToLowerInvariant());
}

/// <summary>What the app answers.</summary>
public sealed record TestResponse(int Status = 200, string? Body = null, string ContentType = "application/json")
{
    public IDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>The app answers only after this completes (a hung app); the request is recorded before.</summary>
    public Task? WaitBefore { get; init; }

    /// <summary>The app resets the connection instead of answering (a crash mid-request); the sidecar sees no status.</summary>
    public bool DropsConnection { get; init; }

    public static TestResponse Json(string body, int status = 200) => new(status, body);

    public static TestResponse DroppedConnection() => new() { DropsConnection = true };
}

/// <summary>
/// A tiny app on 127.0.0.1:0 that records every request its sidecar sends and answers as scripted.
/// Unscripted requests get 200 with an empty body, except GET /dapr/subscribe and GET /dapr/config (404, as an app
/// without subscriptions or actors).
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly WebApplication _web;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly List<Func<RecordedRequest, TestResponse?>> _responders = [];
    private readonly Lock _lock = new();

    private TestApp(WebApplication web)
    {
        _web = web;
    }

    public int Port { get; private set; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>The clock recorded in <see cref="RecordedRequest.ReceivedAt"/>; tests using a fake clock pass it here.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToList();

    public IReadOnlyList<RecordedRequest> RequestsTo(string path, string method = "POST") =>
        _requests.Where(r => r.Path == path && r.Method == method).ToList();

    public static async Task<TestApp> StartAsync(Action<TestApp>? script = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var web = builder.Build();
        var app = new TestApp(web);
        script?.Invoke(app);
        web.Run(app.HandleAsync);
        await web.StartAsync();
        var address = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        app.Port = new Uri(address).Port;
        return app;
    }

    /// <summary>Adds a responder; later ones take precedence. Return null to fall through.</summary>
    public TestApp Respond(Func<RecordedRequest, TestResponse?> responder)
    {
        lock (_lock)
        {
            _responders.Insert(0, responder);
        }

        return this;
    }

    public TestApp Respond(string method, string path, TestResponse response) =>
        Respond(r => r.Method == method && r.Path == path ? response : null);

    /// <summary>Answers the n-th matching request with responses[n], repeating the last one afterwards.</summary>
    public TestApp RespondInSequence(string method, string path, params TestResponse[] responses)
    {
        var count = 0;
        return Respond(r =>
        {
            if (r.Method != method || r.Path != path)
            {
                return null;
            }

            var index = Interlocked.Increment(ref count) - 1;
            return responses[Math.Min(index, responses.Length - 1)];
        });
    }

    /// <summary>Scripts GET /dapr/subscribe.</summary>
    public TestApp Subscribe(string subscriptionsJson) => Respond("GET", "/dapr/subscribe", TestResponse.Json(subscriptionsJson));

    public async Task<RecordedRequest> WaitForRequestAsync(Func<RecordedRequest, bool> predicate, TimeSpan? timeout = null)
    {
        var requests = await WaitForRequestsAsync(predicate, 1, timeout);
        return requests[0];
    }

    /// <summary>Polls until at least <paramref name="count"/> matching requests arrived.</summary>
    public async Task<IReadOnlyList<RecordedRequest>> WaitForRequestsAsync(Func<RecordedRequest, bool> predicate, int count, TimeSpan? timeout = null)
    {
        // Polls every request, so a timeout reports all that did arrive.
        await Eventually.UntilAsync(
            () => Task.FromResult(Requests.Select(r => $"{r.Method} {r.Path}").ToList()),
            _ => _requests.Count(predicate) >= count,
            $"{count} matching requests",
            timeout ?? TimeSpan.FromSeconds(20));
        return _requests.Where(predicate).ToList();
    }

    public Task<IReadOnlyList<RecordedRequest>> WaitForDeliveriesAsync(string path, int count, TimeSpan? timeout = null) =>
        WaitForRequestsAsync(r => r.Method == "POST" && r.Path == path, count, timeout);

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var request = new RecordedRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "/",
            context.Request.QueryString.Value ?? string.Empty,
            headers,
            buffer.ToArray(),
            Clock.GetUtcNow());
        _requests.Enqueue(request);

        TestResponse? response = null;
        lock (_lock)
        {
            foreach (var responder in _responders)
            {
                response = responder(request);
                if (response is not null)
                {
                    break;
                }
            }
        }

        response ??= request.Method == "GET" && request.Path is "/dapr/subscribe" or "/dapr/config"
            ? new TestResponse(404)
            : new TestResponse(200);
        if (response.WaitBefore is { } wait)
        {
            await wait.WaitAsync(context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        if (response.DropsConnection)
        {
            context.Abort();
            return;
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

    public async ValueTask DisposeAsync()
    {
        await _web.StopAsync();
        await _web.DisposeAsync();
    }
}
