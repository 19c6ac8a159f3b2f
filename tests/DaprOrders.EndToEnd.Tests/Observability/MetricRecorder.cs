using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace DaprOrders.EndToEnd.Tests.Observability;

/// <summary>One measurement an instrument recorded, with its tags.</summary>
internal sealed record RecordedMeasurement(string Meter, string Instrument, double Value, IReadOnlyDictionary<string, string?> Tags)
{
    public string? Tag(string key) => Tags.GetValueOrDefault(key);
}

/// <summary>
/// An in-process stand-in for the OpenTelemetry meter provider: listens to the meters the services export (those the
/// ASP.NET Core, HttpClient and runtime instrumentation add, and <see cref="DaprOrders.ServiceDefaults.Telemetry.TelemetrySources.Own"/>)
/// and keeps every instrument and measurement.
/// </summary>
internal sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Meter, string Name), Instrument> _instruments = new();
    private readonly ConcurrentQueue<RecordedMeasurement> _measurements = new();

    public MetricRecorder()
    {
        string[] exported =
        [
            "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", "System.Runtime",
            DaprOrders.ServiceDefaults.Telemetry.TelemetrySources.Own,
        ];
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            var meter = instrument.Meter.Name;
            if (exported.Any(m => m.EndsWith('*') ? meter.StartsWith(m.TrimEnd('*'), StringComparison.Ordinal) : meter == m))
            {
                _instruments.TryAdd((meter, instrument.Name), instrument);
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    public IReadOnlyCollection<Instrument> Instruments => [.. _instruments.Values];

    public IReadOnlyList<RecordedMeasurement> Measurements => [.. _measurements];

    public IReadOnlyList<RecordedMeasurement> Of(string instrument) => [.. _measurements.Where(m => m.Instrument == instrument)];

    /// <summary>Polls observable instruments (gauges) once, as a metric reader would at export time.</summary>
    public void CollectObservables() => _listener.RecordObservableInstruments();

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, tagValue) in tags)
        {
            copy[key] = tagValue?.ToString();
        }

        _measurements.Enqueue(new RecordedMeasurement(instrument.Meter.Name, instrument.Name, value, copy));
    }
}

/// <summary>
/// The names Prometheus gives an OpenTelemetry instrument received over OTLP (Prometheus 3 default translation,
/// UnderscoreEscapingWithSuffixes): dots become underscores, the unit becomes a suffix (s → seconds, ms → milliseconds,
/// By → bytes, 1 → ratio for gauges; annotations like {order} are dropped), counters end in _total, histograms are
/// exposed as _bucket, _sum and _count.
/// </summary>
internal static class PrometheusNames
{
    public static IEnumerable<string> Of(Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        var name = instrument.Name.Replace('.', '_');
        var type = instrument.GetType().GetGenericTypeDefinition();
        var isGauge = type == typeof(ObservableGauge<>) || type == typeof(Gauge<>);
        var unit = UnitSuffix(instrument.Unit, isGauge);
        if (unit.Length > 0 && !name.EndsWith("_" + unit, StringComparison.Ordinal))
        {
            name += "_" + unit;
        }

        if (type == typeof(Counter<>) || type == typeof(ObservableCounter<>))
        {
            return [name + "_total"];
        }

        return type == typeof(Histogram<>) ? [name + "_bucket", name + "_sum", name + "_count"] : [name];
    }

    private static string UnitSuffix(string? unit, bool isGauge) => unit switch
    {
        null or "" => string.Empty,
        "s" => "seconds",
        "ms" => "milliseconds",
        "By" => "bytes",
        "1" => isGauge ? "ratio" : string.Empty,
        _ when unit.StartsWith('{') => string.Empty,
        _ => unit,
    };
}
