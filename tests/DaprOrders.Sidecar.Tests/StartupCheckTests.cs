using DaprOrders.Sidecar.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Sidecar.Tests;

public sealed class StartupCheckTests
{
    // Dapr docs: reference/api/health_api#wait-for-specific-health-check-against-outbound-path
    [Fact]
    public async Task Startup_check_marks_readiness_once_healthz_outbound_answers()
    {
        await using var sidecar = await RecordingSidecar.StartAsync();
        using var host = BuildHost(o => o.HttpEndpoint = sidecar.Url);

        await host.StartAsync();
        var readiness = host.Services.GetRequiredService<DaprSidecarReadiness>();
        await readiness.WhenReady.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(readiness.IsReady);
        Assert.Contains(sidecar.Requests, r => r.Path == "/v1.0/healthz/outbound");
        await host.StopAsync();
    }

    // Dapr docs: reference/api/health_api (sidecar never ready ⇒ clear error, host stops)
    [Fact]
    public async Task Startup_check_stops_the_host_with_a_clear_error_when_the_sidecar_never_answers()
    {
        using var host = BuildHost(o =>
        {
            o.HttpEndpoint = new Uri($"http://127.0.0.1:{TcpPorts.Unused()}");
            o.StartupTimeout = TimeSpan.FromMilliseconds(500);
            o.StartupPollInterval = TimeSpan.FromMilliseconds(50);
        });
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();

        // StartAsync returns at once: the check runs in the background and never delays the app's own start.
        await host.StartAsync();
        var readiness = host.Services.GetRequiredService<DaprSidecarReadiness>();
        var error = await Assert.ThrowsAsync<DaprSidecarUnavailableException>(() => readiness.WhenReady.WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.Contains("/v1.0/healthz/outbound", error.Message, StringComparison.Ordinal);
        await TestApp.WaitUntilAsync(() => lifetime.ApplicationStopping.IsCancellationRequested, "the host is asked to stop");
        await host.StopAsync();
    }

    private static IHost BuildHost(Action<DaprSidecarOptions> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddDaprSidecar(configure);
        builder.Services.AddDaprSidecarStartupCheck();
        return builder.Build();
    }
}
