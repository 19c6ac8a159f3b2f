using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Emulator.Cli;

/// <summary>
/// One app's command, started in its appDirPath with the CLI's environment. Output lines are prefixed
/// "== APP - {appId} ==" as the Dapr CLI prints them; stopping kills the whole process tree.
/// </summary>
public sealed partial class AppProcess : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;

    private AppProcess(string appId, Process process, ILogger logger)
    {
        AppId = appId;
        _process = process;
        _logger = logger;
    }

    public string AppId { get; }

    public int ProcessId => _process.Id;

    /// <summary>Completes with the exit code when the process ends (by itself or stopped).</summary>
    public Task<int> Exited => _exited.Task;

    /// <exception cref="InvalidOperationException">The command could not be started (e.g. not found on PATH).</exception>
    public static AppProcess Start(RunTemplateApp app, IReadOnlyDictionary<string, string> environment, TextWriter output, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(output);
        if (app.Command.Count == 0)
        {
            throw new ArgumentException($"app {app.AppId} has no command", nameof(app));
        }

        var startInfo = new ProcessStartInfo(app.Command[0])
        {
            WorkingDirectory = app.AppDirPath,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in app.Command.Skip(1))
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var appProcess = new AppProcess(app.AppId, process, logger);
        var prefix = $"== APP - {app.AppId} == ";
        process.OutputDataReceived += (_, e) => WriteLine(output, prefix, e.Data);
        process.ErrorDataReceived += (_, e) => WriteLine(output, prefix, e.Data);
        process.Exited += (_, _) => appProcess.OnExited();
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            throw new InvalidOperationException($"app {app.AppId}: cannot start '{app.Command[0]}' in {app.AppDirPath}: {ex.Message}", ex);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        LogStarted(logger, app.AppId, process.Id, string.Join(' ', app.Command));
        return appProcess;
    }

    /// <summary>From now on the process is expected to end; its exit is not reported as a failure.</summary>
    public void MarkStopping() => _stopping = true;

    /// <summary>Kills the process tree (the app may have started children, e.g. dotnet run) and waits for it.</summary>
    public async Task StopAsync()
    {
        _stopping = true;
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(StopTimeout);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (TimeoutException)
        {
            LogStopTimedOut(_logger, AppId, _process.Id);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private static void WriteLine(TextWriter output, string prefix, string? line)
    {
        if (line is not null)
        {
            output.WriteLine(prefix + line);
        }
    }

    private void OnExited()
    {
        var code = _process.ExitCode;
        if (!_stopping)
        {
            if (code == 0)
            {
                LogExited(_logger, AppId, code);
            }
            else
            {
                LogFailed(_logger, AppId, code);
            }
        }

        _exited.TrySetResult(code);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started app {AppId} (pid {ProcessId}): {Command}")]
    private static partial void LogStarted(ILogger logger, string appId, int processId, string command);

    [LoggerMessage(Level = LogLevel.Information, Message = "App {AppId} exited with code {ExitCode}")]
    private static partial void LogExited(ILogger logger, string appId, int exitCode);

    [LoggerMessage(Level = LogLevel.Error, Message = "App {AppId} exited with code {ExitCode}")]
    private static partial void LogFailed(ILogger logger, string appId, int exitCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "App {AppId} (pid {ProcessId}) did not stop in time")]
    private static partial void LogStopTimedOut(ILogger logger, string appId, int processId);
}
