using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Testing;

// Shared by the Audit and Notification service tests (linked into both): state with ETags and publish, as daprd answers them.

/// <summary>One request as the fake sidecar received it.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, string? ContentType, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonElement Json() => JsonDocument.Parse(Body).RootElement.Clone();
}

/// <summary>A scripted reply that replaces the fake's normal behaviour for one request.</summary>
public sealed record ScriptedResponse(int Status, string? Body = null)
{
    public static ScriptedResponse DaprError(int status, string errorCode, string message) =>
        new(status, JsonSerializer.Serialize(new Dictionary<string, string> { ["errorCode"] = errorCode, ["message"] = message }));
}

/// <summary>
/// Stands in for daprd on 127.0.0.1:0: records every request and emulates what the services use — state get/save/bulk
/// with ETags and first-write (409 on mismatch, like daprd), publish (recorded, 204) and output bindings (recorded,
/// 200). <see cref="Intercept"/> scripts failures.
/// </summary>
public sealed class FakeSidecar : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly Dictionary<string, (string Value, long ETag)> _state = new(StringComparer.Ordinal);
    private readonly Lock _stateLock = new();
    private long _etag;

    private FakeSidecar(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>Publish requests, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Publishes => [.. _requests.Where(r => r.Path.StartsWith("/v1.0/publish/", StringComparison.Ordinal))];

    /// <summary>Return a response to replace the normal handling of a request, or null to let it through.</summary>
    public Func<RecordedRequest, ScriptedResponse?>? Intercept { get; set; }

    public static async Task<FakeSidecar> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var sidecar = new FakeSidecar(app);
        app.Run(sidecar.HandleAsync);
        await app.StartAsync();
        sidecar.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        return sidecar;
    }

    /// <summary>The stored JSON of <paramref name="key"/> (keys are stored without daprd's app-id prefix), or null.</summary>
    public JsonElement? GetState(string key)
    {
        lock (_stateLock)
        {
            return _state.TryGetValue(key, out var item) ? JsonDocument.Parse(item.Value).RootElement.Clone() : null;
        }
    }

    public void SetState(string key, string json)
    {
        lock (_stateLock)
        {
            _state[key] = (json, ++_etag);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var recorded = new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? string.Empty,
            context.Request.QueryString.Value ?? string.Empty, context.Request.ContentType,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body);
        _requests.Enqueue(recorded);

        var response = Intercept?.Invoke(recorded) ?? Handle(recorded, context.Response);
        context.Response.StatusCode = response.Status;
        if (response.Body is not null)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(response.Body);
        }
    }

    private ScriptedResponse Handle(RecordedRequest request, HttpResponse response)
    {
        var segments = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        return segments switch
        {
            ["v1.0", "state", _, "bulk"] when request.Method == "POST" => BulkGet(request),
            ["v1.0", "state", _, var key] when request.Method == "GET" => Get(key, response),
            ["v1.0", "state", _] when request.Method == "POST" => Save(request),
            ["v1.0", "publish", ..] => new ScriptedResponse(204),
            ["v1.0", "bindings", _] => new ScriptedResponse(200),
            _ => ScriptedResponse.DaprError(404, "ERR_DIRECT_INVOKE", $"fake sidecar does not know {request.Method} {request.Path}"),
        };
    }

    private ScriptedResponse Get(string key, HttpResponse response)
    {
        lock (_stateLock)
        {
            if (!_state.TryGetValue(key, out var item))
            {
                return new ScriptedResponse(204);
            }

            response.Headers["ETag"] = item.ETag.ToString(CultureInfo.InvariantCulture);
            return new ScriptedResponse(200, item.Value);
        }
    }

    private ScriptedResponse BulkGet(RecordedRequest request)
    {
        var keys = request.Json().GetProperty("keys").EnumerateArray().Select(k => k.GetString()!).ToList();
        var items = new JsonArray();
        lock (_stateLock)
        {
            foreach (var key in keys)
            {
                var item = new JsonObject { ["key"] = key };
                if (_state.TryGetValue(key, out var stored))
                {
                    item["data"] = JsonNode.Parse(stored.Value);
                    item["etag"] = stored.ETag.ToString(CultureInfo.InvariantCulture);
                }

                items.Add(item);
            }
        }

        return new ScriptedResponse(200, items.ToJsonString());
    }

    private ScriptedResponse Save(RecordedRequest request)
    {
        // Like daprd's BulkSet: every item is tried, and a conflict in any of them makes the request a 409.
        var conflict = false;
        lock (_stateLock)
        {
            foreach (var item in request.Json().EnumerateArray())
            {
                var key = item.GetProperty("key").GetString()!;
                var etag = item.TryGetProperty("etag", out var e) ? e.GetString() : null;
                var firstWrite = item.TryGetProperty("options", out var o) && o.TryGetProperty("concurrency", out var c) &&
                                 c.GetString() == "first-write";
                var exists = _state.TryGetValue(key, out var current);
                var mismatch = !string.IsNullOrEmpty(etag)
                    ? !exists || current.ETag.ToString(CultureInfo.InvariantCulture) != etag
                    : firstWrite && exists;
                if (mismatch)
                {
                    conflict = true;
                    continue;
                }

                _state[key] = (item.GetProperty("value").GetRawText(), ++_etag);
            }
        }

        return conflict
            ? ScriptedResponse.DaprError(409, "ERR_STATE_SAVE",
                "failed saving state in state store statestore: possible etag mismatch. error from state store: ETag mismatch")
            : new ScriptedResponse(204);
    }
}
