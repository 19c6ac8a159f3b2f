namespace DaprOrders.Deployment.Validation;

/// <summary>
/// Finds the YAML this suite validates. New folders are picked up automatically: every document under
/// components/, k8s/ and tilt/, and charts/**/values*.yaml (Helm templates under charts/*/templates are
/// Go templates, not YAML, and are skipped). Helm values files for upstream charts kept next to the manifests
/// (k8s/&lt;chart&gt;-values.yaml) are values, not resources: see <see cref="UpstreamChartValuesFiles"/>.
/// Test fixtures and generated build output (tilt/publish) are never part of the scan.
/// </summary>
public sealed class RepositoryLayout
{
    public static readonly IReadOnlyList<string> ResourceFolders = ["components", "k8s", "tilt"];

    private RepositoryLayout(string root)
    {
        Root = root;
    }

    public string Root { get; }

    public string RunFile => Path.Combine(Root, "dapr.yaml");

    /// <summary>
    /// The repository root: the nearest ancestor of the test binaries holding DaprOrders.sln, else the root
    /// recorded at build time (binaries built with --artifacts-path live outside the tree).
    /// </summary>
    public static RepositoryLayout Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DaprOrders.sln")))
            {
                return new RepositoryLayout(dir.FullName);
            }
        }

        var recorded = typeof(RepositoryLayout).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), inherit: false)
            .OfType<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        return recorded is not null && File.Exists(Path.Combine(recorded, "DaprOrders.sln"))
            ? new RepositoryLayout(recorded)
            : throw new InvalidOperationException("DaprOrders.sln not found above " + AppContext.BaseDirectory);
    }

    public string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    /// <summary>YAML files whose documents must be resources (Dapr, Kubernetes, kind, ctlptl).</summary>
    public IEnumerable<string> ResourceFiles() =>
        ResourceFolders
            .Select(f => Path.Combine(Root, f))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Where(ResourceSet.IsYaml)
            .Where(f => !IsExcluded(f) && !IsUpstreamChartValues(f))
            .Order(StringComparer.Ordinal);

    /// <summary>
    /// Values files for upstream charts installed with <c>helm install -f</c> (for example k8s/dapr-values.yaml for
    /// the dapr chart): named <c>&lt;chart&gt;-values.yaml</c> inside the resource folders.
    /// </summary>
    public IEnumerable<string> UpstreamChartValuesFiles() =>
        ResourceFolders
            .Select(f => Path.Combine(Root, f))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Where(f => ResourceSet.IsYaml(f) && !IsExcluded(f) && IsUpstreamChartValues(f))
            .Order(StringComparer.Ordinal);

    /// <summary>The upstream chart a <c>&lt;chart&gt;-values.yaml</c> file is for (<c>dapr</c> for dapr-values.yaml).</summary>
    public static string UpstreamChartOf(string valuesFile) =>
        Path.GetFileNameWithoutExtension(valuesFile)[..^"-values".Length];

    private static bool IsUpstreamChartValues(string file) =>
        Path.GetFileNameWithoutExtension(file).EndsWith("-values", StringComparison.Ordinal);

    /// <summary>Helm values files of every chart under charts/ (including subcharts), templates excluded.</summary>
    public IEnumerable<string> HelmValuesFiles()
    {
        var charts = Path.Combine(Root, "charts");
        return !Directory.Exists(charts)
            ? []
            : Directory.EnumerateFiles(charts, "values*.y*ml", SearchOption.AllDirectories)
                .Where(f => !IsExcluded(f))
                .Order(StringComparer.Ordinal);
    }

    private bool IsExcluded(string file)
    {
        var segments = Relative(file).Split('/');
        return segments.Contains("fixtures") || segments.Contains("templates") || segments.Contains("node_modules")
               || segments.Contains("bin") || segments.Contains("obj") || segments.Contains("publish");
    }
}
