using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Fidelity.Tests.ClientSide;

/// <summary>One HTTP request as a client sent it to the sidecar address.</summary>
internal sealed record RecordedRequest(
    string Operation,
    string Method,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    string? ContentType,
    byte[] Body);

/// <summary>
/// A fake sidecar that records every request and answers like daprd would for the operations the fidelity tests
/// perform (204 for writes, a value with an ETag for reads, 200 JSON for invocations, metadata and health for client
/// start-up). Requests are filed under the operation named last: the C# side calls <see cref="Mark"/>, the JS script
/// POSTs <c>/__op/{name}</c> before each operation.
/// </summary>
internal sealed class SidecarRecorder : IAsyncDisposable
{
    public const string StartupOperation = "(client start-up)";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private volatile string _operation = StartupOperation;

    private SidecarRecorder(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public static async Task<SidecarRecorder> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var recorder = new SidecarRecorder(app);
        app.Run(recorder.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        recorder.Endpoint = new Uri(address);
        return recorder;
    }

    public void Mark(string operation) => _operation = operation;

    /// <summary>Takes the recorded requests and starts a fresh recording filed under <see cref="StartupOperation"/>.</summary>
    public IReadOnlyList<RecordedRequest> Take()
    {
        var taken = new List<RecordedRequest>();
        while (_requests.TryDequeue(out var request))
        {
            taken.Add(request);
        }

        _operation = StartupOperation;
        return taken;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        if (path.StartsWith("/__op/", StringComparison.Ordinal))
        {
            _operation = path["/__op/".Length..];
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        // RawTarget keeps the path bytes and the query exactly as the client wrote them (a lone "?" included).
        var target = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? path;
        var queryStart = target.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryStart < 0 ? target : target[..queryStart];
        var rawQuery = queryStart < 0 ? string.Empty : target[queryStart..];
        _requests.Enqueue(new RecordedRequest(_operation, request.Method, rawPath, rawQuery, headers, request.ContentType, body.ToArray()));
        await AnswerAsync(context, request.Method, path);
    }

    private static Task AnswerAsync(HttpContext context, string method, string path)
    {
        var response = context.Response;
        if (path == "/v1.0/metadata")
        {
            return Json(response, """{"id":"recorder","runtimeVersion":"1.17.0","enabledFeatures":[],"extended":{"daprRuntimeVersion":"1.17.0"}}""");
        }

        if (path.StartsWith("/v1.0/state/", StringComparison.Ordinal))
        {
            if (path.EndsWith("/bulk", StringComparison.Ordinal))
            {
                return Json(response, """[{"key":"order-1","data":{"qty":1},"etag":"1"},{"key":"order-2"}]""");
            }

            if (method == HttpMethods.Get)
            {
                response.Headers.ETag = "1";
                return Json(response, """{"qty":1}""");
            }
        }

        if (path.StartsWith("/v1.0/actors/", StringComparison.Ordinal) && path.Contains("/method/", StringComparison.Ordinal))
        {
            return Json(response, "3");
        }

        if (path.StartsWith("/v1.0/invoke/", StringComparison.Ordinal))
        {
            return Json(response, """{"ok":true}""");
        }

        // publish, save, delete, transaction, healthz: daprd answers 204 without a body.
        response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private static Task Json(HttpResponse response, string json)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        return response.WriteAsync(json);
    }
}
