using System.Text;
using DaprOrders.Bench.Benchmarks;
using DaprOrders.Bench.Hosting;

namespace DaprOrders.Benchmarks.Tests;

public sealed class EmulatedSystemTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "daprorders-bench-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Set_options_reach_the_emulator_process_and_only_the_app_they_name()
    {
        var settings = BenchSettings.ForSmoke(_work) with
        {
            AppSettings = ["emulator:BENCH_PROBE=for-the-emulator", "front:BENCH_PROBE=for-front"],
        };
        BenchApp[] apps = [new("front", BenchExecutable.BenchApps, ["seeds-front"], new Dictionary<string, string>())];

        await using var system = await EmulatedSystem.StartAsync(apps,
            [Path.Combine(BuildOutputs.RepositoryRoot, "bench", "components", "seeds")], null, _work, settings.ReadyTimeout, settings.SettingsFor);

        Assert.Equal("for-the-emulator", EnvironmentOf(system.Emulator.Id).GetValueOrDefault("BENCH_PROBE"));
        Assert.Equal("for-front", EnvironmentOf(system.Processes[1].Id).GetValueOrDefault("BENCH_PROBE"));
    }

    // /proc/<pid>/environ: the environment the process was started with, NUL-separated.
    private static Dictionary<string, string> EnvironmentOf(int processId) =>
        Encoding.UTF8.GetString(File.ReadAllBytes($"/proc/{processId}/environ"))
            .Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .GroupBy(pair => pair[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last()[1], StringComparer.Ordinal);

    public void Dispose()
    {
        if (Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }
    }
}
