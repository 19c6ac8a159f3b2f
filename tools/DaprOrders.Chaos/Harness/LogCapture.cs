using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Chaos.Harness;

/// <summary>
/// The one log sink of a run: the emulator and all five services write here. Every formatted line (message and
/// exception) is searched for the secrets registered with <see cref="Watch"/> as it is written, so even a run of
/// millions of lines needs no memory for the check; only a bounded sample of warnings and errors is kept.
/// </summary>
public sealed class LogCapture(LogLevel minimum, int keepLines = 200) : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _kept = new();
    private readonly ConcurrentDictionary<string, int> _secretHits = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Category, string Event), int> _events = new();
    private volatile string[] _secrets = [];
    private long _lines;
    private int _keptCount;

    public LogLevel Minimum => minimum;

    /// <summary>Lines written so far at or above <see cref="Minimum"/>.</summary>
    public long Lines => Interlocked.Read(ref _lines);

    /// <summary>The first warnings and errors (up to the limit given), for diagnosis.</summary>
    public IReadOnlyList<string> Sample => [.. _kept];

    /// <summary>How often each secret appeared in a log line (absent: never).</summary>
    public IReadOnlyDictionary<string, int> SecretHits => _secretHits;

    /// <summary>Registers strings that must never appear in any log line.</summary>
    public void Watch(params string[] secrets) => _secrets = [.. _secrets, .. secrets.Where(s => !string.IsNullOrEmpty(s))];

    /// <summary>
    /// How many lines a category wrote for an event (its name, which LoggerMessage sets to the method name, e.g. the
    /// emulator's <c>LogDeliveryFailed</c>; else the numeric id).
    /// </summary>
    public int Count(string category, string eventName) =>
        _events.Where(e => e.Key.Event == eventName && e.Key.Category == category).Sum(e => e.Value);

    /// <summary>Lines per (category, event), for diagnosis.</summary>
    public IReadOnlyDictionary<(string Category, string Event), int> Events => _events;

    public ILogger CreateLogger(string categoryName) => new CaptureLogger(this, categoryName);

    public void Dispose()
    {
        // Nothing to release: lines are checked as they arrive.
    }

    private void Write(string category, LogLevel level, EventId eventId, string line)
    {
        Interlocked.Increment(ref _lines);
        _events.AddOrUpdate((category, eventId.Name ?? eventId.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), 1, (_, n) => n + 1);
        foreach (var secret in _secrets)
        {
            if (line.Contains(secret, StringComparison.Ordinal))
            {
                _secretHits.AddOrUpdate(secret, 1, (_, n) => n + 1);
            }
        }

        if (level >= LogLevel.Warning && Interlocked.Increment(ref _keptCount) <= keepLines)
        {
            _kept.Enqueue(line);
        }
    }

    private sealed class CaptureLogger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= capture.Minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            // The structured values too: a sink that writes JSON (as the services' console logger does) prints them.
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}"))
                : string.Empty;
            var line = $"{logLevel} {category}[{eventId.Id}]: {formatter(state, exception)} {values}";
            if (exception is not null)
            {
                line += Environment.NewLine + exception;
            }

            capture.Write(category, logLevel, eventId, line);
        }
    }
}
