using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Sidecar.Tests.Infrastructure;

/// <summary>One request as the fake sidecar received it.</summary>
public sealed record RecordedRequest(
    string Method,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    string? ContentType,
    string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public JsonElement Json() => JsonDocument.Parse(Body).RootElement.Clone();
}

/// <summary>A scripted reply.</summary>
public sealed record ScriptedResponse(int Status, string? Body = null, string? ContentType = null, IReadOnlyDictionary<string, string>? Headers = null)
{
    public static ScriptedResponse NoContent { get; } = new(204);

    public static ScriptedResponse Json(int status, string body, IReadOnlyDictionary<string, string>? headers = null) =>
        new(status, body, "application/json", headers);

    public static ScriptedResponse DaprError(int status, string errorCode, string message) =>
        Json(status, JsonSerializer.Serialize(new Dictionary<string, string> { ["errorCode"] = errorCode, ["message"] = message }));
}

/// <summary>
/// Stands in for daprd: a tiny Kestrel app on 127.0.0.1:0 that records every request and answers from a script
/// (default 204, daprd's "success without body").
/// </summary>
public sealed class RecordingSidecar : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private Func<RecordedRequest, ScriptedResponse> _responder = _ => ScriptedResponse.NoContent;

    private RecordingSidecar(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    public RecordedRequest Single() => Assert.Single(_requests);

    public static async Task<RecordingSidecar> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var sidecar = new RecordingSidecar(app);
        app.Run(sidecar.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        sidecar.Url = new Uri(address);
        return sidecar;
    }

    /// <summary>Answers every request with <paramref name="response"/>.</summary>
    public void RespondWith(ScriptedResponse response) => _responder = _ => response;

    public void RespondWith(Func<RecordedRequest, ScriptedResponse> responder) => _responder = responder;

    /// <summary>A client wired exactly as an app gets it from DI.</summary>
    public DaprSidecarClient CreateClient(string? apiToken = "sidecar-token", Action<DaprSidecarOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDaprSidecar(options =>
        {
            options.HttpEndpoint = Url;
            options.ApiToken = apiToken;
            configure?.Invoke(options);
        });
        return services.BuildServiceProvider().GetRequiredService<DaprSidecarClient>();
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
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var recorded = new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? string.Empty,
            context.Request.QueryString.Value ?? string.Empty, headers, context.Request.ContentType, body);
        _requests.Enqueue(recorded);

        var response = _responder(recorded);
        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (response.Body is not null)
        {
            context.Response.ContentType = response.ContentType ?? "text/plain";
            await context.Response.WriteAsync(response.Body);
        }
    }
}

public static class JsonAssert
{
    /// <summary>Compares JSON semantically (whitespace and property order ignored).</summary>
    public static void Equal(string expectedJson, string actualJson)
    {
        var expected = Normalize(JsonDocument.Parse(expectedJson).RootElement);
        var actual = Normalize(JsonDocument.Parse(actualJson).RootElement);
        Assert.Equal(expected, actual);
    }

    private static string Normalize(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => JsonSerializer.Serialize(p.Name) + ":" + Normalize(p.Value))) + "}",
        JsonValueKind.Array => "[" + string.Join(",", element.EnumerateArray().Select(Normalize)) + "]",
        // Escaping differs between writers ("+" vs "\u002B"); compare the decoded text.
        JsonValueKind.String => JsonSerializer.Serialize(element.GetString()),
        _ => element.GetRawText(),
    };
}
