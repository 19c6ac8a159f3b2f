namespace DaprOrders.Deployment.Validation;

/// <summary>
/// The upstream schemas (Dapr CRDs, components-contrib metadata, Kubernetes, kind, ctlptl, Helm values) are
/// third-party data and are not committed. They are read from the directory named by
/// <c>DAPRORDERS_SCHEMAS_DIR</c>; tools/fetch-schemas.sh downloads the same pinned versions.
/// </summary>
public static class SchemaDirectory
{
    public const string EnvironmentVariable = "DAPRORDERS_SCHEMAS_DIR";

    public const string MissingReason =
        "Upstream schemas not found: set " + EnvironmentVariable + " to a schema directory "
        + "(download one with `bash tools/fetch-schemas.sh <dir>`; CI uses ../shared/schemas).";

    /// <summary>The configured directory if it exists and looks like a schema set, else null.</summary>
    public static string? Locate()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(configured))
        {
            return null;
        }

        var full = Path.GetFullPath(configured);
        return File.Exists(Path.Combine(full, "dapr-components", "index.json")) && Directory.Exists(Path.Combine(full, "dapr", "strict"))
            ? full
            : null;
    }

    public static string Require() => Locate() ?? throw new InvalidOperationException(MissingReason);
}
