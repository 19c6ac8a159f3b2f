using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using DaprOrders.Emulator.Cli;
using DaprOrders.Testing;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Emulator.Tests.Cli;

// The runner behind "dapr-emulator run -f": real child processes, as the Dapr CLI starts them.
public sealed class EmulatorRunTests : IDisposable
{
    // A minimal app: listens on APP_PORT, has no actors or subscriptions (404), prints what the CLI gave it.
    private const string NodeApp = """
        const http = require('http');
        http.createServer((req, res) => { res.statusCode = 404; res.end(); })
          .listen(Number(process.env.APP_PORT), '127.0.0.1', () =>
            console.log(`ready ${process.env.APP_ID} ${process.env.DAPR_HTTP_PORT} ${process.env.GREETING}`));
        """;

    private readonly string _root = Directory.CreateTempSubdirectory("emulator-run-").FullName;
    private readonly StringWriter _output = new();
    private readonly TextWriter _syncOutput;
    private readonly RecordingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggerFactory;

    public EmulatorRunTests()
    {
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Information));
        _syncOutput = TextWriter.Synchronized(_output);
    }

    // The synchronized writer locks on itself; reading under the same lock sees whole lines.
    private string Output()
    {
        lock (_syncOutput)
        {
            return _output.ToString();
        }
    }

    [Fact]
    public async Task A_template_app_is_launched_with_the_cli_environment_becomes_ready_and_is_stopped()
    {
        var appPort = LoopbackPorts.Free(1)[0];
        var template = Template($$"""
            common:
              env: {GREETING: hello}
            apps:
              - appID: nodeapp
                appDirPath: .
                appPort: {{appPort}}
                command: ["node", "-e", {{System.Text.Json.JsonSerializer.Serialize(NodeApp)}}]
            """);
        var output = _syncOutput;

        int processId;
        await using (var run = await EmulatorRun.StartAsync(template, new RunOverrides([], null), _loggerFactory, output, CancellationToken.None))
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await run.WaitUntilReadyAsync(deadline.Token);

            var sidecar = run.Emulator["nodeapp"];
            Assert.True(sidecar.IsAppReady);
            using var http = new HttpClient();
            Assert.Equal(HttpStatusCode.NoContent, (await http.GetAsync(new Uri(sidecar.HttpEndpoint, "/v1.0/healthz"))).StatusCode);
            await EventuallyAsync(() => Output().Contains($"== APP - nodeapp == ready nodeapp {sidecar.HttpPort} hello", StringComparison.Ordinal));

            run.PrintEndpoints(output);
            Assert.Contains($"http://127.0.0.1:{appPort}", Output(), StringComparison.Ordinal);
            Assert.Contains(sidecar.HttpEndpoint.ToString().TrimEnd('/'), Output(), StringComparison.Ordinal);
            processId = run.Processes.Single().ProcessId;
        }

        Assert.False(IsRunning(processId), "the app process must be stopped with the run");
    }

    [Fact]
    public async Task An_app_that_exits_with_a_non_zero_code_is_reported()
    {
        var template = Template("""
            apps:
              - appID: crashing
                appDirPath: .
                command: ["node", "-e", "console.error('boom'); process.exit(3)"]
            """);

        await using var run = await EmulatorRun.StartAsync(template, new RunOverrides([], null), _loggerFactory, _syncOutput, CancellationToken.None);

        Assert.Equal(3, await run.Processes.Single().Exited.WaitAsync(TimeSpan.FromSeconds(30)));
        await EventuallyAsync(() => _logs.Entries.Any(e => e.Message.Contains("crashing exited with code 3", StringComparison.Ordinal)));
        await EventuallyAsync(() => Output().Contains("== APP - crashing == boom", StringComparison.Ordinal));
    }

    private RunTemplate Template(string yaml)
    {
        var file = Path.Combine(_root, "dapr.yaml");
        File.WriteAllText(file, yaml);
        return RunTemplateParser.Parse(file);
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static Task EventuallyAsync(Func<bool> condition) =>
        Eventually.UntilAsync(() => Task.FromResult(condition()), "the condition", timeout: TimeSpan.FromSeconds(20));


    public void Dispose()
    {
        _loggerFactory.Dispose();
        _output.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
