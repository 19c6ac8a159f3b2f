using System.Collections.Concurrent;
using System.Net;
using DaprOrders.Sidecar.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Sidecar.Tests;

// What the client does around each call: it is on every hot path of every service.
public sealed class ClientPipelineTests : IAsyncLifetime
{
    private RecordingSidecar _sidecar = null!;

    public async Task InitializeAsync() => _sidecar = await RecordingSidecar.StartAsync();

    public async Task DisposeAsync() => await _sidecar.DisposeAsync();

    [Fact]
    public async Task Successful_sidecar_calls_log_one_debug_line_each_and_nothing_from_the_http_client_factory()
    {
        var logs = new RecordingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddDaprSidecar(o => o.HttpEndpoint = _sidecar.Url);
        var client = services.BuildServiceProvider().GetRequiredService<DaprSidecarClient>();

        await client.PublishEventAsync("pubsub", "orders", new Order(1, 2m), TestJsonContext.Default.Order);
        await client.SaveStateAsync("store", "k", new Order(1, 2m), TestJsonContext.Default.Order);
        Assert.Null(await client.GetStateAsync("store", "missing", TestJsonContext.Default.Order));

        Assert.Equal(3, _sidecar.Requests.Count);
        Assert.Equal(3, logs.Lines.Count);
        Assert.All(logs.Lines, line => Assert.StartsWith("Debug DaprOrders.Sidecar.DaprSidecarClient: ", line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_redirect_is_not_followed_but_reported_with_its_status()
    {
        _sidecar.RespondWith(new ScriptedResponse(307, Headers: new Dictionary<string, string> { ["Location"] = "/elsewhere" }));
        var client = _sidecar.CreateClient();

        var error = await Assert.ThrowsAsync<DaprApiException>(() =>
            client.PublishEventAsync("pubsub", "orders", new Order(1, 2m), TestJsonContext.Default.Order));

        Assert.Equal(HttpStatusCode.TemporaryRedirect, error.StatusCode);
        Assert.Equal("/v1.0/publish/pubsub/orders", Assert.Single(_sidecar.Requests).Path);
    }

    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, Lines);

        public void Dispose()
        {
        }

        private sealed class Recorder(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}");
        }
    }
}
