namespace DaprOrders.Bench.Benchmarks;

/// <summary>Settings every benchmark shares; <see cref="Smoke"/> shrinks durations and counts to seconds.</summary>
internal sealed record BenchSettings
{
    public bool Smoke { get; init; }

    public int Connections { get; init; } = 32;

    /// <summary>Not counted. The emulator is a JIT build whose tiered compilation takes tens of seconds under load to settle.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Orders in the whole-saga throughput phase.</summary>
    public int Orders { get; init; } = 10_000;

    /// <summary>DOTNET_gcServer for the services: null leaves each app's own setting (ASP.NET Core: server GC).</summary>
    public bool? ServerGc { get; init; }

    /// <summary>
    /// Configuration for one app of an emulated run, e.g. <c>audit:Audit__BulkSubscribe=false</c> (environment variable
    /// form); <c>emulator:</c> sets the emulator process's environment.
    /// </summary>
    public IReadOnlyList<string> AppSettings { get; init; } = [];

    /// <summary>The <see cref="AppSettings"/> that apply to <paramref name="appId"/>, as environment variables.</summary>
    public IEnumerable<KeyValuePair<string, string>> SettingsFor(string appId)
    {
        foreach (var setting in AppSettings)
        {
            var colon = setting.IndexOf(':', StringComparison.Ordinal);
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            if (colon <= 0 || equals < colon)
            {
                throw new ArgumentException($"'{setting}' is not app:KEY=VALUE");
            }

            if (setting[..colon] == appId)
            {
                yield return new(setting[(colon + 1)..equals], setting[(equals + 1)..]);
            }
        }
    }

    public string WorkDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "daprorders-bench", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));

    public TimeSpan ReadyTimeout => TimeSpan.FromSeconds(Smoke ? 120 : 60);

    public static BenchSettings ForSmoke(string workDirectory) => new()
    {
        Smoke = true,
        Connections = 4,
        Warmup = TimeSpan.FromSeconds(0.5),
        Duration = TimeSpan.FromSeconds(1.5),
        Orders = 40,
        WorkDirectory = workDirectory,
    };

    /// <summary>
    /// How many requests a closed loop must measure before its window may close: one per connection in a smoke run,
    /// which checks that the benchmark works whatever the machine's load; none in a real run.
    /// </summary>
    public long MinMeasured(int connections) => Smoke ? connections : 0;

    public Dictionary<string, string> GcSettings() => ServerGc is { } server
        ? new Dictionary<string, string>(StringComparer.Ordinal) { ["DOTNET_gcServer"] = server ? "1" : "0" }
        : new Dictionary<string, string>(StringComparer.Ordinal);
}
