using DaprOrders.Bench.Hosting;

namespace DaprOrders.Benchmarks.Tests;

/// <summary>Which build a benchmark starts: the native executable where the publish folder has one, else the JIT build.</summary>
public sealed class NativeExecutableTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("daprorders-native-").FullName;

    [Fact]
    public void A_published_native_executable_is_chosen_for_its_service_only()
    {
        var ordering = Path.Combine(_folder, "DaprOrders.Ordering", "DaprOrders.Ordering");
        Directory.CreateDirectory(Path.GetDirectoryName(ordering)!);
        File.WriteAllBytes(ordering, []);

        Assert.Equal(ordering, BuildOutputs.NativeOf(BenchExecutable.Ordering, _folder));
        Assert.Null(BuildOutputs.NativeOf(BenchExecutable.Audit, _folder));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Without_a_publish_folder_every_service_runs_its_jit_build(string? folder) =>
        Assert.Null(BuildOutputs.NativeOf(BenchExecutable.Ordering, folder));

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
