using System.Reflection;

namespace DaprOrders.Fidelity.Tests.Infrastructure;

/// <summary>Paths in the repository, also when the tests run from an artifacts folder outside it.</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>tests/js: the npm project with the official Dapr JS SDK and CloudEvents SDK.</summary>
    public static string JsDirectory => PathOf("tests", "js");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DaprOrders.sln")))
            {
                return dir.FullName;
            }
        }

        var recorded = typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        return recorded is not null && File.Exists(Path.Combine(recorded, "DaprOrders.sln"))
            ? recorded
            : throw new InvalidOperationException("DaprOrders.sln not found above " + AppContext.BaseDirectory);
    }
}
