using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using DaprOrders.Emulator.Diagnostics;
using DaprOrders.Emulator.Grpc;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Emulator.Hosting;

/// <summary>
/// The emulated daprd of one app: its own HTTP API endpoint on its own port, an app channel into the app, and the
/// startup sequence daprd runs once the app's port opens.
/// </summary>
public sealed partial class AppSidecar : IAsyncDisposable
{
    private static readonly TimeSpan AppPortPollInterval = TimeSpan.FromMilliseconds(50);

    private readonly IServiceProvider _services;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _web;
    private Task _connection = Task.CompletedTask;
    private volatile TaskCompletionSource _ready = NewReadySignal();

    internal AppSidecar(EmulatedAppOptions options, IServiceProvider services)
    {
        Options = options;
        _services = services;
        _logger = services.GetRequiredService<ILoggerFactory>().CreateLogger($"DaprOrders.Emulator.Sidecar.{options.AppId}");
        AppChannel = CreateAppChannel(options);
        Exchanges = new SidecarExchanges(options.AppId);
    }

    public string AppId => Options.AppId;

    public EmulatedAppOptions Options { get; }

    /// <summary>The sidecar's HTTP API base address (what the app gets as DAPR_HTTP_ENDPOINT).</summary>
    public Uri HttpEndpoint { get; private set; } = null!;

    public int HttpPort => HttpEndpoint.Port;

    /// <summary>The sidecar's gRPC API address, h2c (what the app gets as DAPR_GRPC_ENDPOINT).</summary>
    public Uri GrpcEndpoint { get; private set; } = null!;

    public int GrpcPort => GrpcEndpoint.Port;

    /// <summary>
    /// HTTP client into the app (daprd's app channel). Sends dapr-api-token when APP_API_TOKEN is configured.
    /// Null when the app has no port.
    /// </summary>
    public HttpClient? AppChannel { get; }

    /// <summary>Counts of this app's calls into the sidecar and the sidecar's deliveries into the app.</summary>
    public SidecarExchanges Exchanges { get; }

    /// <summary>True once the app's port is open and every connection participant (actors, subscriptions) has run.</summary>
    public bool IsAppReady => _ready.Task.IsCompletedSuccessfully;

    public Task WaitUntilReadyAsync(CancellationToken cancellationToken = default) =>
        _ready.Task.WaitAsync(cancellationToken);

    internal async Task StartAsync(string listenAddress, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(_services.GetRequiredService<ILoggerFactory>());
        builder.Services.AddRoutingCore();
        // The emulator (or the test) owns process lifetime: a sidecar must not react to Ctrl-C on its own.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        ListenOptions? http = null;
        ListenOptions? grpc = null;
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Parse(listenAddress), Options.DaprHttpPort, listen => http = listen);
            // The gRPC API is HTTP/2 without TLS (h2c), on its own port like daprd's --dapr-grpc-port.
            kestrel.Listen(IPAddress.Parse(listenAddress), Options.DaprGrpcPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                grpc = listen;
            });
            // daprd's default max body size is 4 MiB.
            kestrel.Limits.MaxRequestBodySize = 4 * 1024 * 1024;
        });
        builder.Services.AddDaprGrpcApi(this, _services);

        var web = builder.Build();
        web.Use(ServeOnlyGrpcOnGrpcPort);
        web.Use(CleanPath);
        web.UseRouting(); // after CleanPath: routes match the cleaned path
        web.Use(CountExchange); // after routing (it classifies by route), before the token check (a refused call is an exchange too)
        web.Use(RequireApiToken);
        foreach (var api in _services.GetServices<ISidecarApi>())
        {
            api.Map(web, this);
        }

        web.MapDaprGrpcApi();

        await web.StartAsync(cancellationToken);
        _web = web;
        HttpEndpoint = new Uri($"http://{listenAddress}:{http!.IPEndPoint!.Port}");
        GrpcEndpoint = new Uri($"http://{listenAddress}:{grpc!.IPEndPoint!.Port}");
        LogSidecarListening(AppId, HttpEndpoint, GrpcEndpoint);

        _connection = ConnectToAppAsync(_stopping.Token);
    }

    /// <summary>
    /// Simulates the app going away and coming back (a pod restart): participants stop delivering, in-flight work is
    /// abandoned for redelivery, and the startup sequence runs again once the app's port is open.
    /// </summary>
    public async Task ReconnectAppAsync(CancellationToken cancellationToken = default)
    {
        await DisconnectAsync(cancellationToken);
        _ready = NewReadySignal();
        _connection = ConnectToAppAsync(_stopping.Token);
    }

    private async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        foreach (var participant in _services.GetServices<IAppConnectionParticipant>().OrderByDescending(p => p.Order))
        {
            await participant.OnAppDisconnectedAsync(this, cancellationToken);
        }
    }

    // daprd waits for the app port to accept TCP connections, then runs /dapr/config and /dapr/subscribe.
    // Polling uses the real clock on purpose: it waits for a real socket, not for emulated time.
    private async Task ConnectToAppAsync(CancellationToken cancellationToken)
    {
        var ready = _ready;
        try
        {
            if (Options.AppPort is { } port)
            {
                while (!await IsPortOpenAsync(Options.AppChannelAddress, port, cancellationToken))
                {
                    await Task.Delay(AppPortPollInterval, cancellationToken);
                }
            }

            foreach (var participant in _services.GetServices<IAppConnectionParticipant>().OrderBy(p => p.Order))
            {
                await participant.OnAppConnectedAsync(this, cancellationToken);
            }

            LogAppReady(AppId);
            ready.TrySetResult();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            ready.TrySetCanceled(cancellationToken);
        }
        catch (Exception ex)
        {
            LogAppConnectionFailed(ex, AppId);
            ready.TrySetException(ex);
        }
    }

    private static async Task<bool> IsPortOpenAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    // daprd routes on path.Clean of the request path, so "//v1.0/actors/..." (what the .NET actor SDK sends: its endpoint
    // ends in "/") reaches the same handler as "/v1.0/actors/...". Kestrel has already removed dot segments; repeated
    // and trailing slashes are left. dapr/dapr v1.17 pkg/api/http/middlewares.go (CleanPathMiddleware), installed for
    // every route by getRouter in pkg/api/http/server.go.
    private static Task CleanPath(HttpContext context, Func<Task> next)
    {
        if (context.Request.Path.Value is { Length: > 1 } path && (path.Contains("//", StringComparison.Ordinal) || path[^1] == '/'))
        {
            var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            context.Request.Path = new PathString("/" + string.Join('/', segments));
        }

        return next();
    }

    private Task CountExchange(HttpContext context, Func<Task> next)
    {
        Exchanges.CountCall(context);
        return next();
    }

    // The gRPC port serves gRPC only, as daprd's does: the HTTP API's routes share this host but not that port.
    private Task ServeOnlyGrpcOnGrpcPort(HttpContext context, Func<Task> next)
    {
        if (context.Connection.LocalPort != GrpcPort
            || context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
        {
            return next();
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    // daprd checks DAPR_API_TOKEN on every API call except the health endpoints, and answers in plain text. gRPC calls
    // are checked by DaprApiTokenInterceptor instead, which answers with a gRPC status as daprd's gRPC server does.
    private Task RequireApiToken(HttpContext context, Func<Task> next)
    {
        if (context.Connection.LocalPort == GrpcPort)
        {
            return next();
        }

        var expected = Options.DaprApiToken;
        if (string.IsNullOrEmpty(expected) || context.Request.Path.StartsWithSegments("/v1.0/healthz", StringComparison.Ordinal))
        {
            return next();
        }

        var given = context.Request.Headers["dapr-api-token"].ToString();
        if (System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(given),
                System.Text.Encoding.UTF8.GetBytes(expected)))
        {
            return next();
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.ContentType = "text/plain";
        return context.Response.WriteAsync("invalid api token");
    }

    private static HttpClient? CreateAppChannel(EmulatedAppOptions options)
    {
        if (options.AppPort is not { } port)
        {
            return null;
        }

        var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = new Uri($"http://{options.AppChannelAddress}:{port}"),
            // Resiliency timeouts bound each call; this only guards against a hung app in the real-clock executable.
            Timeout = TimeSpan.FromMinutes(5),
        };
        if (!string.IsNullOrEmpty(options.AppApiToken))
        {
            client.DefaultRequestHeaders.Add("dapr-api-token", options.AppApiToken);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await _connection;
        }
        catch (OperationCanceledException)
        {
            // Stopping while still waiting for the app is normal.
        }

        await DisconnectAsync(CancellationToken.None);
        if (_web is not null)
        {
            await _web.StopAsync();
            await _web.DisposeAsync();
        }

        AppChannel?.Dispose();
        _stopping.Dispose();
    }

    private static TaskCompletionSource NewReadySignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class EmbeddedHostLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sidecar for app {AppId} listening on {Endpoint} (HTTP) and {GrpcEndpoint} (gRPC)")]
    private partial void LogSidecarListening(string appId, Uri endpoint, Uri grpcEndpoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "App {AppId} connected: configuration and subscriptions loaded")]
    private partial void LogAppReady(string appId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Connecting to app {AppId} failed")]
    private partial void LogAppConnectionFailed(Exception exception, string appId);
}
