using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DaprOrders.Notification.Channels;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DaprOrders.Notification.Tests.Infrastructure;

/// <summary>The Notification service in-process, talking to a <see cref="FakeSidecar"/> on a virtual clock.</summary>
public sealed class NotificationApp(FakeSidecar sidecar, IReadOnlyDictionary<string, string?>? settings = null, INotificationChannel? channel = null)
    : WebApplicationFactory<Program>
{
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("DAPR_HTTP_ENDPOINT", sidecar.Url.ToString().TrimEnd('/'));
        builder.UseSetting("DAPR_API_TOKEN", "sidecar-token");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            if (channel is not null)
            {
                services.AddScoped(_ => channel);
            }
        });
    }

    /// <summary>Delivers a structured CloudEvent the way daprd does and returns the topic status it answered.</summary>
    public async Task<string> DeliverAsync(HttpClient client, string path, string type, object data, string? id = null)
    {
        var cloudEvent = new Dictionary<string, object?>
        {
            ["specversion"] = "1.0",
            ["id"] = id ?? Guid.NewGuid().ToString(),
            ["source"] = "ordering",
            ["type"] = type,
            ["datacontenttype"] = "application/json",
            ["topic"] = "orders",
            ["pubsubname"] = "pubsub",
            ["time"] = "2026-11-23T09:00:00Z",
            ["traceid"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ["data"] = data,
        };
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(cloudEvent)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json");
        using var response = await client.PostAsync(path, content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("status").GetString()!;
    }
}
