using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using DaprOrders.Testing;

namespace DaprOrders.Emulator.Tests.JsSdk;

/// <summary>
/// The official Dapr JavaScript SDK (tests/js, installed by tools/test.sh) as an independent client of the emulator:
/// its DaprServer hosts a subscription and an actor, its DaprClient publishes, saves state and calls the actor.
/// </summary>
public sealed class JsSdkConformanceTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_js_sdk_publishes_subscribes_uses_state_with_etags_and_calls_an_actor_through_the_emulator()
    {
        var repoRoot = RepoRoot();
        var jsDir = Path.Combine(repoRoot, "tests", "js");
        Assert.True(
            Directory.Exists(Path.Combine(jsDir, "node_modules", "@dapr", "dapr")),
            $"{jsDir}/node_modules is missing: run `bash tools/test.sh` (it runs `npm ci --prefix tests/js`) before the tests.");

        var appPort = LoopbackPorts.Free(1)[0];
        var options = new EmulatorOptions();
        options.ResourcesPaths.Add(Path.Combine(repoRoot, "tests", "DaprOrders.Emulator.Tests", "JsSdk", "components"));
        options.Apps.Add(new EmulatedAppOptions { AppId = "jsapp", AppPort = appPort });
        await using var emulator = await DaprEmulator.StartAsync(options);
        var sidecar = emulator["jsapp"];

        var startInfo = new ProcessStartInfo("node")
        {
            WorkingDirectory = jsDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add("sdk-conformance.mjs");
        startInfo.Environment["APP_ID"] = "jsapp";
        startInfo.Environment["APP_PORT"] = appPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        startInfo.Environment["DAPR_HTTP_PORT"] = sidecar.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        startInfo.Environment["DAPR_HTTP_ENDPOINT"] = sidecar.HttpEndpoint.ToString().TrimEnd('/');

        var output = new StringBuilder();
        using var node = new Process { StartInfo = startInfo };
        node.OutputDataReceived += (_, e) => Append(output, e.Data);
        node.ErrorDataReceived += (_, e) => Append(output, e.Data);
        node.Start();
        node.BeginOutputReadLine();
        node.BeginErrorReadLine();

        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            await node.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            Assert.Fail($"the JS SDK script did not finish within {Deadline}; output:\n{Read(output)}");
        }

        node.WaitForExit(); // flushes the redirected output
        var text = Read(output);
        Assert.True(node.ExitCode == 0, $"the JS SDK script failed (exit {node.ExitCode}):\n{text}");
        Assert.Contains("PASS pubsub:", text, StringComparison.Ordinal);
        Assert.Contains("PASS state-etag:", text, StringComparison.Ordinal);
        Assert.Contains("PASS state-transaction:", text, StringComparison.Ordinal);
        Assert.Contains("PASS actor:", text, StringComparison.Ordinal);
        Assert.Contains("ALL CHECKS PASSED", text, StringComparison.Ordinal);
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Read(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    // Tests may run from an artifacts folder outside the repository, so fall back to where this file was compiled.
    private static string RepoRoot([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile)! })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "DaprOrders.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException($"DaprOrders.sln not found above {AppContext.BaseDirectory} or {sourceFile}");
    }
}
