using System.Reflection;

namespace DaprOrders.Bench.Hosting;

/// <summary>A runnable build output: the entry assembly of one project of the repository.</summary>
internal sealed record BenchExecutable(string ProjectName, string ProjectDirectory, string AssemblyName)
{
    public static readonly BenchExecutable Ordering = new("DaprOrders.Ordering", "services/Ordering", "DaprOrders.Ordering");
    public static readonly BenchExecutable Inventory = new("DaprOrders.Inventory", "services/Inventory", "DaprOrders.Inventory");
    public static readonly BenchExecutable Payment = new("DaprOrders.Payment", "services/Payment", "DaprOrders.Payment");
    public static readonly BenchExecutable Notification = new("DaprOrders.Notification", "services/Notification", "DaprOrders.Notification");
    public static readonly BenchExecutable Audit = new("DaprOrders.Audit", "services/Audit", "DaprOrders.Audit");
    public static readonly BenchExecutable Emulator = new("DaprOrders.Emulator.Cli", "tools/DaprOrders.Emulator.Cli", "dapr-emulator");
    public static readonly BenchExecutable Baseline = new("DaprOrders.Bench.Baseline", "bench/Baseline", "daprorders-bench-baseline");
    public static readonly BenchExecutable BenchApps = new("DaprOrders.Bench.Apps", "bench/BenchApps", "daprorders-bench-apps");
}

/// <summary>
/// Finds build outputs next to this driver's: in an artifacts layout (<c>--artifacts-path X</c>:
/// <c>X/bin/{project}/{configuration}/</c>) or in the repository layout (<c>{project dir}/bin/{Configuration}/net10.0/</c>).
/// The driver's project references every executable it starts, so building it builds them in the same place.
/// </summary>
internal static class BuildOutputs
{
    public static string RepositoryRoot { get; } = Metadata("RepositoryRoot") is { } root && Directory.Exists(root)
        ? Path.GetFullPath(root)
        : throw new InvalidOperationException("RepositoryRoot metadata missing from the bench assembly");

    public static string Configuration { get; } = Metadata("Configuration") ?? "Release";

    public static string DllOf(BenchExecutable executable)
    {
        ArgumentNullException.ThrowIfNull(executable);
        var file = executable.AssemblyName + ".dll";
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var candidates = new List<string>();
        // artifacts: .../bin/{this project}/{config}/ → .../bin/{project}/{config}/
        if (here.Parent?.Parent is { } binRoot)
        {
            candidates.Add(Path.Combine(binRoot.FullName, executable.ProjectName, here.Name, file));
            candidates.Add(Path.Combine(binRoot.FullName, executable.ProjectName, Configuration.ToLowerInvariant(), file));
        }

        candidates.Add(Path.Combine(RepositoryRoot, executable.ProjectDirectory, "bin", Configuration, "net10.0", file));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"{file} not built; looked in:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", candidates)}");
    }

    private static string? Metadata(string key) => typeof(BuildOutputs).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == key)?.Value;
}
