using System.Diagnostics;
using System.Text;

namespace DaprOrders.OperationsPage.Tests;

/// <summary>
/// Runs a Playwright script (tests/js/ops-page) with node and headless Debian Chromium. Missing prerequisites fail the
/// test with the command that installs them: a browser test that silently skips proves nothing.
/// </summary>
internal static class BrowserScript
{
    /// <summary>Debian's chromium package; DAPRORDERS_CHROMIUM overrides it.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("DAPRORDERS_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static string JsRoot => Path.Combine(RepositoryRootPath.Value, "tests", "js");

    public static void AssertPrerequisites()
    {
        Assert.True(File.Exists(ChromiumPath),
            $"Chromium not found at {ChromiumPath}. Install it (tools/test.sh does): apt-get update && apt-get install -y --no-install-recommends chromium");
        Assert.True(File.Exists(Path.Combine(JsRoot, "node_modules", "playwright-core", "package.json")),
            $"playwright-core is not installed in {JsRoot}. Run: npm ci --prefix tests/js (tools/test.sh does)");
    }

    /// <summary>Runs <c>node {script}</c> in tests/js with <paramref name="environment"/>; returns exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string script, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("node", [script])
        {
            WorkingDirectory = JsRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        start.Environment["CHROMIUM_PATH"] = ChromiumPath;
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Assert.Fail($"node could not be started ({ex.Message}); Node.js 20 or later must be on PATH.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Append(output, $"[killed: the script ran longer than {timeout}]");
            return (-1, Snapshot(output));
        }

        // The parameterless wait returns once the redirected streams reached their end.
        await process.WaitForExitAsync();
        return (process.ExitCode, Snapshot(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}

/// <summary>The repository root (next to DaprOrders.sln), also when the build output lives under an artifacts path.</summary>
internal static class RepositoryRootPath
{
    public static string Value { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DaprOrders.sln")))
            {
                return dir.FullName;
            }
        }

        var recorded = typeof(RepositoryRootPath).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), inherit: false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        return recorded is not null && File.Exists(Path.Combine(recorded, "DaprOrders.sln"))
            ? recorded
            : throw new InvalidOperationException("DaprOrders.sln not found above " + AppContext.BaseDirectory);
    }
}
