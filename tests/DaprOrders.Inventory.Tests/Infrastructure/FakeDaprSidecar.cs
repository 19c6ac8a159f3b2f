using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Testing;

/// <summary>An event the app published through the fake sidecar.</summary>
public sealed record PublishedEvent(string Topic, string? Type, JsonElement Data, string? Id = null);

/// <summary>
/// Just enough daprd for one service under test: state (ETags, first-write), publish (recorded), actor invocation
/// (forwarded to the app like daprd's placement would) and actor state. A tiny Kestrel app on 127.0.0.1:0.
/// <see cref="FailWhen"/> injects sidecar failures (500) to simulate crashes at chosen points.
/// </summary>
public sealed class FakeDaprSidecar : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (string Json, long ETag)> _state = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<PublishedEvent> _published = new();
    private const string RemotingRequestHeader = "X-DaprRequestHeader";
    private const string RemotingErrorHeader = "X-DaprErrorResponseHeader";
    private long _etag;

    private FakeDaprSidecar(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    /// <summary>Client for the app under test; actor calls are forwarded through it.</summary>
    public Func<HttpClient>? AppClient { get; set; }

    /// <summary>Return true to answer the request with 500 (the body has been read into <see cref="SidecarRequest.Body"/>).</summary>
    public Func<SidecarRequest, bool>? FailWhen { get; set; }

    public IReadOnlyList<PublishedEvent> Published => [.. _published];

    public IReadOnlyList<PublishedEvent> PublishedOfType(string type) => [.. _published.Where(p => p.Type == type)];

    public static async Task<FakeDaprSidecar> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var sidecar = new FakeDaprSidecar(app);
        app.Run(sidecar.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        sidecar.Url = new Uri(address);
        return sidecar;
    }

    /// <summary>The stored JSON of a plain state key, or null.</summary>
    public JsonElement? State(string store, string key)
    {
        lock (_lock)
        {
            return _state.TryGetValue(StateKey(store, key), out var item) ? JsonDocument.Parse(item.Json).RootElement.Clone() : null;
        }
    }

    public void SetState(string store, string key, string json)
    {
        lock (_lock)
        {
            _state[StateKey(store, key)] = (json, ++_etag);
        }
    }

    public void SetActorState(string actorType, string actorId, string key, string json)
    {
        lock (_lock)
        {
            _state[ActorStateKey(actorType, actorId, key)] = (json, ++_etag);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string StateKey(string store, string key) => store + "||" + key;

    private static string ActorStateKey(string type, string id, string key) => $"actor||{type}||{id}||{key}";

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var path = context.Request.Path.Value ?? string.Empty;
        var request = new SidecarRequest(context.Request.Method, path, body);
        if (FailWhen?.Invoke(request) == true)
        {
            await Error(context, 500, "ERR_INJECTED", "injected failure");
            return;
        }

        var s = path.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        switch (s)
        {
            case ["v1.0", "healthz", ..]:
                context.Response.StatusCode = 204;
                return;
            case ["v1.0", "state", var store] when HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method):
                await SaveStateAsync(context, store, body);
                return;
            case ["v1.0", "state", var store, var key] when HttpMethods.IsGet(request.Method):
                await GetStateAsync(context, StateKey(store, key));
                return;
            case ["v1.0", "publish", _, .. var topic]:
                _published.Enqueue(new PublishedEvent(string.Join('/', topic), context.Request.Query["metadata.cloudevent.type"].FirstOrDefault(),
                    JsonDocument.Parse(body).RootElement.Clone(), context.Request.Query["metadata.cloudevent.id"].FirstOrDefault()));
                context.Response.StatusCode = 204;
                return;
            case ["v1.0", "actors", var type, var id, "method", var method]:
                await InvokeActorAsync(context, type, id, method, body);
                return;
            case ["v1.0", "actors", var type, var id, "state", var key] when HttpMethods.IsGet(request.Method):
                await GetStateAsync(context, ActorStateKey(type, id, key));
                return;
            case ["v1.0", "actors", var type, var id, "state"]:
                SaveActorState(type, id, body);
                context.Response.StatusCode = 204;
                return;
            default:
                await Error(context, 404, "ERR_NOT_FOUND", $"fake sidecar does not implement {request.Method} {path}");
                return;
        }
    }

    private async Task SaveStateAsync(HttpContext context, string store, string body)
    {
        if (TrySaveState(store, body))
        {
            context.Response.StatusCode = 204;
            return;
        }

        await Error(context, 409, "ERR_STATE_SAVE", "possible etag mismatch");
    }

    /// <summary>daprd's rules: an ETag must match; first-write without ETag requires a new key.</summary>
    private bool TrySaveState(string store, string body)
    {
        using var document = JsonDocument.Parse(body);
        lock (_lock)
        {
            foreach (var item in document.RootElement.EnumerateArray())
            {
                var key = StateKey(store, item.GetProperty("key").GetString()!);
                var etag = item.TryGetProperty("etag", out var e) ? e.GetString() : null;
                var firstWrite = item.TryGetProperty("options", out var o) && o.TryGetProperty("concurrency", out var c) && c.GetString() == "first-write";
                var exists = _state.TryGetValue(key, out var current);
                var conflict = !string.IsNullOrEmpty(etag)
                    ? !exists || current.ETag.ToString(CultureInfo.InvariantCulture) != etag
                    : firstWrite && exists;
                if (conflict)
                {
                    return false;
                }

                _state[key] = (item.GetProperty("value").GetRawText(), ++_etag);
            }
        }

        return true;
    }

    private async Task GetStateAsync(HttpContext context, string key)
    {
        (string Json, long ETag) item;
        lock (_lock)
        {
            if (!_state.TryGetValue(key, out item))
            {
                context.Response.StatusCode = 204;
                return;
            }
        }

        context.Response.StatusCode = 200;
        context.Response.Headers["ETag"] = item.ETag.ToString(CultureInfo.InvariantCulture);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(item.Json);
    }

    private void SaveActorState(string type, string id, string body)
    {
        using var document = JsonDocument.Parse(body);
        lock (_lock)
        {
            foreach (var op in document.RootElement.EnumerateArray())
            {
                var request = op.GetProperty("request");
                var key = ActorStateKey(type, id, request.GetProperty("key").GetString()!);
                if (op.GetProperty("operation").GetString() == "delete")
                {
                    _state.Remove(key);
                }
                else
                {
                    _state[key] = (request.GetProperty("value").GetRawText(), ++_etag);
                }
            }
        }
    }

    private async Task InvokeActorAsync(HttpContext context, string type, string id, string method, string body)
    {
        var client = AppClient?.Invoke() ?? throw new InvalidOperationException("Set AppClient before invoking actors.");
        using var request = new HttpRequestMessage(HttpMethod.Put,
            new Uri($"/actors/{Uri.EscapeDataString(type)}/{Uri.EscapeDataString(id)}/method/{Uri.EscapeDataString(method)}", UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        // daprd relays the .NET SDK's remoting headers both ways.
        if (context.Request.Headers.TryGetValue(RemotingRequestHeader, out var header))
        {
            request.Headers.TryAddWithoutValidation(RemotingRequestHeader, header.ToString());
        }

        using var response = await client.SendAsync(request, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode == 200 ? 200 : 500;
        if (response.Headers.TryGetValues(RemotingErrorHeader, out var error))
        {
            context.Response.Headers[RemotingErrorHeader] = error.First();
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(await response.Content.ReadAsStringAsync(context.RequestAborted));
    }

    private static async Task Error(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["errorCode"] = code, ["message"] = message }));
    }
}

/// <summary>A request as the fake sidecar saw it, for <see cref="FakeDaprSidecar.FailWhen"/>.</summary>
public sealed record SidecarRequest(string Method, string Path, string Body);
