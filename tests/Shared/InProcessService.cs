using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Testing;

/// <summary>
/// One DaprOrders service running in-process on a real loopback port, configured exactly as daprd's CLI would
/// configure it (DAPR_HTTP_ENDPOINT, DAPR_GRPC_ENDPOINT, APP_ID, APP_PORT, plus the tokens in <paramref name="settings"/>),
/// so the emulated sidecar reaches it over HTTP and its DaprClient reaches the sidecar over gRPC. The only additions are plumbing outside the service: startup filters in
/// front of its endpoints (a delivery tap, injected poison) and a shared log sink.
/// </summary>
/// <remarks>Shared source of the end-to-end tests and the chaos run (linked into both projects).</remarks>
internal sealed class InProcessService<TProgram>(
    string appId,
    int port,
    Uri sidecarEndpoint,
    IReadOnlyDictionary<string, string?> settings,
    IReadOnlyList<IStartupFilter> startupFilters,
    ILoggerProvider? logs,
    Uri? grpcEndpoint = null,
    Action<IServiceCollection>? configureServices = null)
    : WebApplicationFactory<TProgram>, IInProcessService
    where TProgram : class
{
    public string AppId => appId;

    public int Port => port;

    /// <summary>A client of the service's API; it acts as the operator when the service was given an operator token.</summary>
    public HttpClient CreateApiClient()
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            AllowAutoRedirect = false,
        });
        if (settings.TryGetValue("OperatorAccess:Token", out var token) && !string.IsNullOrEmpty(token))
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }


    public void Start()
    {
        // Not UseKestrel(port): WebApplicationFactory sets that port after building a minimal-hosting app, racing the
        // app's own Run(), which may already have started Kestrel. The urls setting below binds the port instead.
        UseKestrel();
        StartServer();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("DAPR_HTTP_ENDPOINT", sidecarEndpoint.ToString().TrimEnd('/'));
        if (grpcEndpoint is not null)
        {
            builder.UseSetting("DAPR_GRPC_ENDPOINT", grpcEndpoint.ToString().TrimEnd('/'));
        }

        builder.UseSetting("APP_ID", appId);
        builder.UseSetting("APP_PORT", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("urls", $"http://127.0.0.1:{port}");
        // Quiet by default: the JSON console logs of five services would drown the output.
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Warning");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services =>
        {
            foreach (var filter in startupFilters)
            {
                services.AddSingleton(filter);
            }

            if (logs is not null)
            {
                services.AddLogging(logging => logging.ClearProviders().AddProvider(new SharedLoggerProvider(logs)));
            }
        });
        if (configureServices is not null)
        {
            // After the service's own registrations, so a test's replacement wins.
            builder.ConfigureTestServices(configureServices);
        }
    }

    /// <summary>Lets several hosts share one provider without the first host to stop disposing it.</summary>
    private sealed class SharedLoggerProvider(ILoggerProvider inner) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => inner.CreateLogger(categoryName);

        public void Dispose()
        {
            // Owned by whoever built the system of services.
        }
    }
}

internal interface IInProcessService : IAsyncDisposable
{
    string AppId { get; }

    int Port { get; }

    HttpClient CreateApiClient();

    void Start();
}
