using System.Text.Json;
using DaprOrders.Bench.Hosting;

namespace DaprOrders.Benchmarks.Tests;

/// <summary>
/// The runtime settings that keep each service small (Directory.Build.props; docs/benchmarks.md, Memory) reach the
/// runtimeconfig.json that the runtime reads when the service starts, the same file its container image ships.
/// </summary>
public sealed class ServiceRuntimeSettingsTests
{
    private static readonly BenchExecutable[] s_services =
        [BenchExecutable.Ordering, BenchExecutable.Inventory, BenchExecutable.Payment, BenchExecutable.Notification, BenchExecutable.Audit];

    public static TheoryData<string> Services() => [.. s_services.Select(s => s.AssemblyName)];

    [Theory]
    [MemberData(nameof(Services))]
    public void Service_runs_with_workstation_non_concurrent_gc_conserving_memory_and_without_dynamic_pgo(string assemblyName)
    {
        var service = s_services.Single(s => s.AssemblyName == assemblyName);
        var runtimeConfig = Path.ChangeExtension(BuildOutputs.DllOf(service), ".runtimeconfig.json");
        using var document = JsonDocument.Parse(File.ReadAllText(runtimeConfig));
        var options = document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.False(options.GetProperty("System.GC.Server").GetBoolean());
        Assert.False(options.GetProperty("System.GC.Concurrent").GetBoolean());
        Assert.Equal("7", options.GetProperty("System.GC.ConserveMemory").ToString());
        Assert.False(options.GetProperty("System.Runtime.TieredPGO").GetBoolean());
    }
}
