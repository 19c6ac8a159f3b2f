using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Testing;

/// <summary>One log line as a test saw it.</summary>
public sealed record RecordedLog(LogLevel Level, string Category, string Message);

/// <summary>Records every log line at every level (shared by the test projects, linked), for tests that assert on logging.</summary>
public sealed class RecordingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<RecordedLog> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, Entries);

    public void Dispose()
    {
    }

    private sealed class Recorder(string category, ConcurrentQueue<RecordedLog> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new RecordedLog(logLevel, category, formatter(state, exception)));
    }
}
