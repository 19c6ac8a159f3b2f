using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DaprOrders.Audit.Tests.Infrastructure;

/// <summary>The Audit service in-process, talking to a <see cref="FakeSidecar"/> on a virtual clock.</summary>
public sealed class AuditApp(FakeSidecar sidecar, IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    /// <summary>The operator token the service is given; clients from <c>CreateClient</c> send it.</summary>
    public const string OperatorToken = "audit-tests-operator-token";

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorToken);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("DAPR_HTTP_ENDPOINT", sidecar.Url.ToString().TrimEnd('/'));
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("OperatorAccess:Token", OperatorToken);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    /// <summary>A CloudEvent as a publisher's sidecar builds it (attributes daprd adds included).</summary>
    public static string CloudEvent(string id, string topic, string type, string orderId, string source = "ordering") =>
        $$"""
        {"data":{"orderId":"{{orderId}}","customerId":"c-1"},"datacontenttype":"application/json","id":"{{id}}",
         "pubsubname":"pubsub","source":"{{source}}","specversion":"1.0","time":"2026-11-23T08:59:59Z","topic":"{{topic}}",
         "traceid":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
         "traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","tracestate":"","type":"{{type}}",
         "x-custom":"kept"}
        """;

    /// <summary>POSTs a structured CloudEvent like daprd and returns the answered topic status.</summary>
    public static async Task<string> DeliverAsync(HttpClient client, string path, string cloudEvent)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(cloudEvent));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json");
        using var response = await client.PostAsync(path, content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("status").GetString()!;
    }
}
