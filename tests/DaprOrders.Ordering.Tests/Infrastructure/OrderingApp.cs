using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace DaprOrders.Ordering.Tests.Infrastructure;

/// <summary>The Ordering service in-process (TestServer), talking to a <see cref="FakeSidecar"/>, on a virtual clock.</summary>
public sealed class OrderingApp(FakeSidecar sidecar, IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    public static async Task<(FakeSidecar Sidecar, OrderingApp App)> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var sidecar = await FakeSidecar.StartAsync();
        return (sidecar, new OrderingApp(sidecar, settings));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("DAPR_HTTP_ENDPOINT", sidecar.Endpoint.ToString().TrimEnd('/'));
        builder.UseSetting("APP_ID", "ordering");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            services.AddLogging(logging => logging.ClearProviders());
        });
    }
}
