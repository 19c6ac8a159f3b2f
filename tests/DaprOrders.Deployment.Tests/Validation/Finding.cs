namespace DaprOrders.Deployment.Validation;

public enum FindingSeverity
{
    /// <summary>daprd, kubectl or the CLI would reject it, or it breaks a rule of this repository.</summary>
    Error,

    /// <summary>Accepted at runtime but worth fixing (deprecated alias, case differs from the documented name).</summary>
    Warning,
}

/// <summary>One problem found in a YAML document. <see cref="Code"/> is stable so tests can assert on it.</summary>
/// <param name="File">Path of the file, relative to the repository root where possible.</param>
/// <param name="Document">Zero-based index of the YAML document within a multi-document file.</param>
/// <param name="Line">One-based line of the offending node, 0 when unknown.</param>
/// <param name="Path">JSON-style path inside the document (for example <c>spec.metadata[3].name</c>).</param>
public sealed record Finding(
    FindingSeverity Severity,
    string Code,
    string File,
    int Document,
    int Line,
    string Path,
    string Message)
{
    public override string ToString() =>
        $"{File}:{Line} (document {Document}) {Severity.ToString().ToUpperInvariant()} [{Code}] {Path}: {Message}";
}

/// <summary>Stable finding codes.</summary>
public static class FindingCodes
{
    public const string YamlSyntax = "yaml-syntax";
    public const string Yaml11Boolean = "yaml-1.1-boolean";
    public const string NotAResource = "not-a-resource";
    public const string NoSchema = "no-schema";
    public const string Schema = "schema";
    public const string UnknownComponentType = "unknown-component-type";
    public const string UnknownComponentVersion = "unknown-component-version";
    public const string UnknownMetadata = "unknown-metadata";
    public const string MetadataNameCase = "metadata-name-case";
    public const string MetadataAlias = "metadata-alias";
    public const string DeprecatedMetadata = "deprecated-metadata";
    public const string DuplicateMetadata = "duplicate-metadata";
    public const string MetadataValueSource = "metadata-value-source";
    public const string MetadataValueNotString = "metadata-value-not-string";
    public const string MetadataType = "metadata-type";
    public const string MetadataAllowedValues = "metadata-allowed-values";
    public const string MissingRequired = "missing-required";
    public const string AuthProfile = "auth-profile";
    public const string RuntimeCheck = "runtime-check";
    public const string PlaintextSecret = "plaintext-secret";
    public const string MissingSecretStore = "missing-secret-store";
    public const string ResiliencyReference = "resiliency-reference";
    public const string ResiliencyValue = "resiliency-value";
    public const string ConfigurationValue = "configuration-value";
    public const string CrossReference = "cross-reference";
    public const string DuplicateName = "duplicate-name";
    public const string RunFile = "run-file";
    public const string HelmValues = "helm-values";
    public const string HelmTemplate = "helm-template";
}
