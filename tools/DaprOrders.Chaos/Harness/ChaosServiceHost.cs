using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Chaos.Harness;

/// <summary>
/// One DaprOrders service in-process on a real loopback port, configured as daprd's CLI configures it
/// (DAPR_HTTP_ENDPOINT, APP_ID, APP_PORT, optionally the API tokens). The additions are test plumbing outside the
/// service: the log sink (every log line of the service goes to <see cref="LogCapture"/>) and, for the app chosen
/// as poison target, <see cref="PoisonedDeliveries"/> in front of its endpoints.
/// </summary>
internal sealed class ChaosServiceHost<TProgram>(
    string appId,
    int port,
    Uri sidecarEndpoint,
    IReadOnlyDictionary<string, string?> settings,
    ILoggerProvider logs,
    PoisonedDeliveries? poison)
    : WebApplicationFactory<TProgram>, IChaosServiceHost
    where TProgram : class
{
    public string AppId => appId;

    public HttpClient CreateApiClient() => CreateClient(new WebApplicationFactoryClientOptions
    {
        BaseAddress = new Uri($"http://127.0.0.1:{port}"),
        AllowAutoRedirect = false,
    });

    public void Start()
    {
        UseKestrel(port);
        StartServer();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("DAPR_HTTP_ENDPOINT", sidecarEndpoint.ToString().TrimEnd('/'));
        builder.UseSetting("APP_ID", appId);
        builder.UseSetting("APP_PORT", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("urls", $"http://127.0.0.1:{port}");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Warning");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services =>
        {
            if (poison is not null)
            {
                services.AddSingleton(poison.StartupFilterFor(appId));
            }

            services.AddLogging(logging => logging.ClearProviders().AddProvider(new SharedLoggerProvider(logs)));
        });
    }

    /// <summary>Lets several hosts share one provider without the first host to stop disposing it.</summary>
    private sealed class SharedLoggerProvider(ILoggerProvider inner) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => inner.CreateLogger(categoryName);

        public void Dispose()
        {
            // Owned by the ChaosSystem.
        }
    }
}

internal interface IChaosServiceHost : IAsyncDisposable
{
    string AppId { get; }

    HttpClient CreateApiClient();

    void Start();
}
