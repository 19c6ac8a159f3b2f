using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Emulator.Cli;

/// <summary>"dapr-emulator run": parse the template, start sidecars and apps, print the endpoints, run until cancelled.</summary>
internal static partial class RunCommand
{
    public static async Task<int> ExecuteAsync(string runFile, RunOverrides overrides, string? logLevel, CancellationToken cancellationToken)
    {
        RunTemplate template;
        try
        {
            template = RunTemplateParser.Parse(runFile);
        }
        catch (RunTemplateException ex)
        {
            await Console.Error.WriteLineAsync($"dapr-emulator: {ex.Message}");
            return 1;
        }

        using var loggerFactory = LoggerFactory.Create(logging => logging
            .AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss ";
            })
            .SetMinimumLevel(ToLogLevel(logLevel ?? MostVerbose(template)))
            // Each sidecar is a small ASP.NET Core host; its lifetime chatter ("Press Ctrl+C") would only confuse.
            .AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning));
        var logger = loggerFactory.CreateLogger("DaprOrders.Emulator.Cli");
        // Settings that only tune daprd (its gRPC, metrics or profiling ports, its log output): nothing to fix, so one
        // line says so and debug level lists them.
        foreach (var warning in template.Warnings)
        {
            LogTemplateSetting(logger, warning);
        }

        if (template.Warnings.Count > 0)
        {
            LogTemplateSettingsWithoutEffect(logger, template.Warnings.Count);
        }

        // Ctrl-C / SIGTERM: stop in order (apps, then sidecars) instead of letting the runtime terminate the process.
        using var shutdown = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestShutdown);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestShutdown);
        void RequestShutdown(PosixSignalContext context)
        {
            context.Cancel = true;
            _ = shutdown.CancelAsync(); // not inline: the shutdown sequence must not run on the signal thread
        }

        cancellationToken = shutdown.Token;
        var output = TextWriter.Synchronized(Console.Out);
        EmulatorRun emulatorRun;
        try
        {
            emulatorRun = await EmulatorRun.StartAsync(template, overrides, loggerFactory, output, cancellationToken);
        }
        catch (Exception ex) when (ex is RunTemplateException or InvalidOperationException or IOException)
        {
            await Console.Error.WriteLineAsync($"dapr-emulator: {ex.Message}");
            return 1;
        }

        await using (emulatorRun)
        {
            // Ctrl-C reaches the apps too (same process group); their exit is then expected, not a failure.
            using var stopping = cancellationToken.Register(emulatorRun.MarkStopping);
            try
            {
                LogWaiting(logger, template.Apps.Count);
                await emulatorRun.WaitUntilReadyAsync(cancellationToken);
                emulatorRun.PrintEndpoints(output);
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                LogStopping(logger);
            }
        }

        return 0;
    }

    private static string MostVerbose(RunTemplate template) =>
        template.Apps.Select(a => a.LogLevel).MinBy(l => ToLogLevel(l)) ?? "info";

    private static LogLevel ToLogLevel(string level) => level switch
    {
        "debug" => LogLevel.Debug,
        "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "fatal" => LogLevel.Critical,
        _ => LogLevel.Information,
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Run template: {Setting}")]
    private static partial void LogTemplateSetting(ILogger logger, string setting);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run template: {Count} settings tune daprd only and have no effect here (--log-level debug lists them)")]
    private static partial void LogTemplateSettingsWithoutEffect(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sidecars listening; waiting for {AppCount} apps to open their ports")]
    private static partial void LogWaiting(ILogger logger, int appCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping apps and sidecars")]
    private static partial void LogStopping(ILogger logger);
}
