namespace DaprOrders.Testing;

/// <summary>The repository's root folder (where DaprOrders.sln is), for components/ and other checked-in files.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "DaprOrders.sln")))
            {
                return dir.FullName;
            }
        }

        // Built outside the repository (--artifacts-path): the build recorded where the repository is.
        var recorded = typeof(RepositoryRoot).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), inherit: false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        if (recorded is not null && File.Exists(System.IO.Path.Combine(recorded, "DaprOrders.sln")))
        {
            return recorded;
        }

        throw new InvalidOperationException("DaprOrders.sln not found above " + AppContext.BaseDirectory);
    }
}
