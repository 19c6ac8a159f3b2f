using Microsoft.Extensions.Logging;

namespace DaprOrders.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Writes log lines of the emulator and the services to the test's output (shown when a test fails), so a failure in
/// an asynchronous flow comes with the warnings and errors that explain it.
/// </summary>
public sealed class TestOutputLoggerProvider(ITestOutputHelper output, LogLevel minimum) : ILoggerProvider
{
    private volatile bool _disposed;

    public ILogger CreateLogger(string categoryName) => new TestOutputLogger(this, categoryName);

    public void Dispose() => _disposed = true;

    private sealed class TestOutputLogger(TestOutputLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider.Minimum && !provider._disposed;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel,-11} {category}: {formatter(state, exception)}";
            if (exception is not null)
            {
                line += Environment.NewLine + exception;
            }

            try
            {
                provider.Output.WriteLine(line);
            }
            catch (InvalidOperationException)
            {
                // The test already finished (a late background log line): nowhere to write it.
            }
        }
    }

    private LogLevel Minimum => minimum;

    private ITestOutputHelper Output => output;
}
