using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Ordering.Tests.Infrastructure;

/// <summary>One request the service sent to the sidecar.</summary>
public sealed record SidecarRequest(string Method, string Path, string Query, string Body)
{
    public JsonNode? Json => Body.Length == 0 ? null : JsonNode.Parse(Body);
}

/// <summary>
/// A recording stand-in for daprd's HTTP API on 127.0.0.1 (ephemeral port): state (with ETags, first-write and
/// all-or-nothing transactions that fail like daprd: 500 ERR_STATE_TRANSACTION), publish, actor invocation, actor
/// state and reminders. Outbox transactions are recorded as committed "outbox events" (projection value per key).
/// <see cref="Intercept"/> scripts failures.
/// </summary>
public sealed class FakeSidecar : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<SidecarRequest> _requests = [];
    private readonly Dictionary<string, (string Json, string ETag)> _state = new(StringComparer.Ordinal);
    private readonly List<JsonNode> _outbox = [];
    private long _etag;

    private FakeSidecar(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Return a result to answer a request yourself; null lets the fake handle it.</summary>
    public Func<SidecarRequest, IResult?>? Intercept { get; set; }

    public IReadOnlyList<SidecarRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>What daprd's outbox would publish: one projection value per committed transaction upsert.</summary>
    public IReadOnlyList<JsonNode> OutboxEvents
    {
        get
        {
            lock (_gate)
            {
                return [.. _outbox];
            }
        }
    }

    public static async Task<FakeSidecar> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeSidecar(app);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.Endpoint = new Uri(address);
        return fake;
    }

    public IReadOnlyList<SidecarRequest> RequestsTo(string method, string pathPrefix) =>
        Requests.Where(r => r.Method == method && r.Path.StartsWith(pathPrefix, StringComparison.Ordinal)).ToList();

    /// <summary>The stored JSON of a state key (store-level key, e.g. <c>order-…</c> or an actor key <c>OrderProcess||id||saga</c>).</summary>
    public JsonNode? State(string key)
    {
        lock (_gate)
        {
            return _state.TryGetValue(key, out var item) ? JsonNode.Parse(item.Json) : null;
        }
    }

    public void SetState(string key, string json)
    {
        lock (_gate)
        {
            _state[key] = (json, NextETag());
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
        // daprd cleans the path first (the actor SDK sends "//v1.0/..."): dapr/dapr v1.17 pkg/api/http/server.go getRouter.
        var path = System.Text.RegularExpressions.Regex.Replace(context.Request.Path.Value ?? "", "/{2,}", "/");
        var request = new SidecarRequest(context.Request.Method, path, context.Request.QueryString.Value ?? "", body);
        lock (_gate)
        {
            _requests.Add(request);
        }

        var result = Intercept?.Invoke(request) ?? Handle(request);
        await result.ExecuteAsync(context);
    }

    private IResult Handle(SidecarRequest request)
    {
        var segments = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        return (request.Method, segments) switch
        {
            ("GET", ["v1.0", "healthz", ..]) => Results.NoContent(),
            ("POST", ["v1.0", "state", _, "transaction"]) => Transaction(request.Json!),
            ("POST", ["v1.0", "state", _]) => Save(request.Json!.AsArray()),
            ("GET", ["v1.0", "state", _, var key]) => Get(key),
            ("POST", ["v1.0", "publish", ..]) => Results.NoContent(),
            ("PUT", ["v1.0", "actors", _, _, "method", _]) => Results.Ok(),
            ("GET", ["v1.0", "actors", var type, var id, "state", var key]) => Get($"{type}||{id}||{key}"),
            ("PUT" or "POST", ["v1.0", "actors", var type, var id, "state"]) => ActorTransaction(type, id, request.Json!.AsArray()),
            ("PUT" or "POST" or "DELETE", ["v1.0", "actors", _, _, "reminders" or "timers", _]) => Results.NoContent(),
            _ => Results.Json(new { errorCode = "ERR_FAKE_UNKNOWN", message = $"{request.Method} {request.Path}" }, statusCode: 404),
        };
    }

    private IResult Get(string key)
    {
        lock (_gate)
        {
            if (!_state.TryGetValue(key, out var item))
            {
                return Results.NoContent();
            }

            return new StateResult(item.Json, item.ETag);
        }
    }

    private IResult Save(JsonArray items)
    {
        lock (_gate)
        {
            foreach (var item in items)
            {
                var key = (string)item!["key"]!;
                if (!ETagMatches(key, item))
                {
                    return DaprError(HttpStatusCode.Conflict, "ERR_STATE_SAVE", "possible etag mismatch");
                }
            }

            foreach (var item in items)
            {
                _state[(string)item!["key"]!] = (item["value"]!.ToJsonString(), NextETag());
            }
        }

        return Results.NoContent();
    }

    private IResult Transaction(JsonNode request)
    {
        var operations = request["operations"]!.AsArray();
        lock (_gate)
        {
            var projections = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
            var writes = new List<JsonNode>();
            foreach (var operation in operations)
            {
                var item = operation!["request"]!;
                if ((string?)item["metadata"]?["outbox.projection"] == "true")
                {
                    projections.TryAdd((string)item["key"]!, item["value"]!);
                }
                else
                {
                    writes.Add(operation);
                }
            }

            foreach (var operation in writes)
            {
                var item = operation["request"]!;
                if (!ETagMatches((string)item["key"]!, item))
                {
                    return DaprError(HttpStatusCode.InternalServerError, "ERR_STATE_TRANSACTION",
                        "error while executing state transaction: possible etag mismatch");
                }
            }

            foreach (var operation in writes)
            {
                var item = operation["request"]!;
                var key = (string)item["key"]!;
                if ((string)operation["operation"]! == "delete")
                {
                    _state.Remove(key);
                    continue;
                }

                _state[key] = (item["value"]!.ToJsonString(), NextETag());
                _outbox.Add((projections.TryGetValue(key, out var projection) ? projection : item["value"]!).DeepClone());
            }
        }

        return Results.NoContent();
    }

    private IResult ActorTransaction(string type, string id, JsonArray operations)
    {
        lock (_gate)
        {
            foreach (var operation in operations)
            {
                var item = operation!["request"]!;
                var key = $"{type}||{id}||{(string)item["key"]!}";
                if ((string)operation["operation"]! == "delete")
                {
                    _state.Remove(key);
                }
                else
                {
                    _state[key] = (item["value"]!.ToJsonString(), NextETag());
                }
            }
        }

        return Results.NoContent();
    }

    // Called under _gate. daprd semantics: an ETag must match; first-write without ETag requires a missing key.
    private bool ETagMatches(string key, JsonNode item)
    {
        var etag = (string?)item["etag"];
        var exists = _state.TryGetValue(key, out var current);
        if (!string.IsNullOrEmpty(etag))
        {
            return exists && current.ETag == etag;
        }

        return !((string?)item["options"]?["concurrency"] == "first-write" && exists);
    }

    private string NextETag() => Interlocked.Increment(ref _etag).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static IResult DaprError(HttpStatusCode status, string code, string message) =>
        Results.Json(new { errorCode = code, message }, statusCode: (int)status);

    private sealed class StateResult(string json, string etag) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = 200;
            httpContext.Response.ContentType = "application/json";
            httpContext.Response.Headers["ETag"] = etag;
            await httpContext.Response.WriteAsync(json);
        }
    }
}
