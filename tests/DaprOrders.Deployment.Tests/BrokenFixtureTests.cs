using DaprOrders.Deployment.Validation;
using Xunit.Abstractions;

namespace DaprOrders.Deployment.Tests;

/// <summary>The validator must fail on deliberately broken files, with the exact finding.</summary>
public sealed class BrokenFixtureTests(ITestOutputHelper output)
{
    private static readonly Lazy<DaprResourceValidator> s_validator = new(() => DaprResourceValidator.FromSchemaDirectory(SchemaDirectory.Require()));

    private List<Finding> FindingsFor(string fixture, string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "fixtures", fixture);
        var parseFindings = new List<Finding>();
        var document = YamlResourceReader.ReadFile(path, fixture, parseFindings)
            .Single(d => d.Name == name || (d.Name is null && d.Kind == name));
        Assert.Empty(parseFindings);
        var findings = s_validator.Value.Validate(document).ToList();
        foreach (var finding in findings)
        {
            output.WriteLine(finding.ToString());
        }

        return findings;
    }

    private static (FindingSeverity, string, string) Summary(Finding f) => (f.Severity, f.Code, f.Message);

    [Fact]
    public void Misspelt_metadata_name_is_an_error_with_a_suggestion()
    {
        var finding = Assert.Single(FindingsFor("broken-component.yaml", "misspelt-durable"));

        Assert.Equal(FindingSeverity.Error, finding.Severity);
        Assert.Equal(FindingCodes.UnknownMetadata, finding.Code);
        Assert.Equal("unknown metadata name 'durabel' for pubsub.rabbitmq v1; daprd ignores unknown names silently. Did you mean 'durable'?", finding.Message);
        Assert.Equal("spec.metadata[1]", finding.Path);
        Assert.Equal(14, finding.Line);
    }

    [Fact]
    public void Allowed_values_types_runtime_checks_and_unquoted_values_are_errors()
    {
        var findings = FindingsFor("broken-component.yaml", "bad-values").Select(Summary).ToList();

        Assert.Equal(
            [
                (FindingSeverity.Error, FindingCodes.MetadataAllowedValues, "'direct' is not an allowed value of 'exchangeKind'; allowed: fanout, topic"),
                (FindingSeverity.Error, FindingCodes.MetadataType, "'prefetchCount' must be a number, got 'many'"),
                (FindingSeverity.Error, FindingCodes.MetadataValueNotString, "value of 'durable' is a YAML boolean (true); daprd reads every metadata value as a string, so quote it"),
                (FindingSeverity.Error, FindingCodes.RuntimeCheck, "deliveryMode must be 0, 1 or 2 (2 = persistent), got '3'"),
            ],
            findings);
    }

    [Fact]
    public void Inline_password_is_an_error()
    {
        var finding = Assert.Single(FindingsFor("broken-component.yaml", "plaintext-secret"));

        Assert.Equal(FindingCodes.PlaintextSecret, finding.Code);
        Assert.Equal("'connectionString' is sensitive and must come from a secret store (secretKeyRef + auth.secretStore), not an inline value", finding.Message);
    }

    [Fact]
    public void Missing_required_fields_and_auth_profile_are_errors()
    {
        var findings = FindingsFor("broken-component.yaml", "kafka-incomplete");

        Assert.Equal(
            [FindingCodes.MissingRequired, FindingCodes.AuthProfile, FindingCodes.RuntimeCheck],
            findings.Select(f => f.Code));
        Assert.Equal("required metadata 'brokers' of pubsub.kafka v1 is missing", findings[0].Message);
        Assert.StartsWith("no authentication profile of pubsub.kafka is satisfied; set the required fields of one of: OIDC Authentication [authType, oidcTokenEndpoint", findings[1].Message, StringComparison.Ordinal);
        Assert.Equal("authType must be set (\"none\" for no authentication); the component fails to init without it", findings[2].Message);
    }

    [Fact]
    public void Unknown_field_in_the_crd_is_a_schema_error()
    {
        var findings = FindingsFor("broken-component.yaml", "schema-typo").Select(f => (f.Code, f.Path, f.Message)).ToList();

        Assert.Contains((FindingCodes.Schema, "spec.metadata", "required field 'metadata' is missing"), findings);
        Assert.Contains((FindingCodes.Schema, "spec.metdata", "unknown field 'metdata'"), findings);
    }

    [Fact]
    public void Unknown_type_and_unknown_version_are_errors()
    {
        var type = Assert.Single(FindingsFor("broken-component.yaml", "unknown-type"));
        Assert.Equal(FindingCodes.UnknownComponentType, type.Code);
        Assert.Equal("spec.type 'pubsub.rabbitmqq' is not a component known to dapr/components-contrib@v1.18.4. Did you mean 'pubsub.rabbitmq'?", type.Message);

        var version = Assert.Single(FindingsFor("broken-component.yaml", "unknown-version"));
        Assert.Equal(FindingCodes.UnknownComponentVersion, version.Code);
        Assert.Equal("state.postgresql has no version 'v3'; known: v1, v2", version.Message);
    }

    [Fact]
    public void Aliases_and_case_differences_are_reported_and_secret_refs_need_a_store()
    {
        var findings = FindingsFor("broken-component.yaml", "alias-case-and-missing-store").Select(Summary).ToList();

        Assert.Equal(
            [
                (FindingSeverity.Warning, FindingCodes.MetadataAlias, "'timeoutInSeconds' is a legacy alias of 'timeout' for state.postgresql v2; daprd accepts it, write 'timeout'"),
                (FindingSeverity.Warning, FindingCodes.MetadataNameCase, "'TablePrefix' matches 'tablePrefix' of state.postgresql v2 only case-insensitively; daprd accepts it, write 'tablePrefix'"),
                (FindingSeverity.Error, FindingCodes.MissingSecretStore, "metadata uses secretKeyRef but the component has no auth.secretStore (a sibling of spec); name the secret store explicitly"),
            ],
            findings);
    }

    [Fact]
    public void Names_that_differ_only_by_case_are_rejected_like_daprd_does()
    {
        var findings = FindingsFor("broken-component.yaml", "duplicate-by-case");

        var duplicate = Assert.Single(findings, f => f.Code == FindingCodes.DuplicateMetadata);
        Assert.Equal("metadata names 'keyPrefix', 'KeyPrefix' differ only by case; daprd rejects the component (\"key is duplicate\")", duplicate.Message);
    }

    [Fact]
    public void Malformed_topic_scopes_are_errors()
    {
        var finding = Assert.Single(FindingsFor("broken-component.yaml", "bad-scopes"));

        Assert.Equal(FindingCodes.RuntimeCheck, finding.Code);
        Assert.Equal("publishingScopes: 'ordering:orders' is not of the form app=topic1,topic2", finding.Message);
    }

    [Fact]
    public void Resiliency_references_and_values_are_checked()
    {
        var findings = FindingsFor("broken-resources.yaml", "broken-resiliency").Select(Summary).ToList();

        Assert.Equal(
            [
                (FindingSeverity.Error, FindingCodes.Schema, "expected a string, got integer 500"),
                (FindingSeverity.Warning, FindingCodes.ResiliencyValue, "timeout 'quick' is a bare integer, which daprd reads as MILLISECONDS; write a Go duration such as \"5s\""),
                (FindingSeverity.Warning, FindingCodes.ResiliencyValue, "retry 'forever': maxRetries omitted means -1, retry FOREVER; set it explicitly"),
                (FindingSeverity.Error, FindingCodes.ResiliencyValue, "retry 'fancy': policy must be constant or exponential (Dapr has no other back-off shapes)"),
                (FindingSeverity.Error, FindingCodes.ResiliencyReference, "app target 'payment' refers to retry policy 'fast', which spec.policies does not define"),
                (FindingSeverity.Error, FindingCodes.ResiliencyReference, "actor target 'Stock' has a circuitBreaker, so circuitBreakerScope must be type, id or both"),
            ],
            findings);
    }

    [Fact]
    public void Configuration_schema_and_values_are_checked()
    {
        var findings = FindingsFor("broken-resources.yaml", "broken-configuration").Select(f => (f.Code, f.Message)).ToList();

        Assert.Equal(
            [
                (FindingCodes.Schema, "required field 'isSecure' is missing"),
                (FindingCodes.ConfigurationValue, "tracing.samplingRate must be a number between \"0\" and \"1\""),
                (FindingCodes.ConfigurationValue, "an OTLP/gRPC endpointAddress is host:port without a scheme"),
            ],
            findings);
    }

    [Fact]
    public void Kubernetes_objects_are_checked_against_the_strict_schemas()
    {
        var findings = FindingsFor("broken-resources.yaml", "broken-deployment").Select(f => (f.Code, f.Path, f.Message)).ToList();

        Assert.Contains((FindingCodes.Schema, "spec.replica", "unknown field 'replica'"), findings);
        Assert.Contains((FindingCodes.Schema, "spec.template.spec.containers[0].ports[0].containerPort", "expected an integer, got the string \"5100\""), findings);
    }

    [Fact]
    public void Kind_cluster_configs_are_checked()
    {
        var finding = Assert.Single(FindingsFor("broken-resources.yaml", "Cluster"));

        Assert.Equal(FindingCodes.Schema, finding.Code);
        Assert.Equal("nodes[0].role", finding.Path);
    }

    [Fact]
    public void A_resource_without_a_schema_is_an_error()
    {
        var finding = Assert.Single(FindingsFor("broken-resources.yaml", "no-schema"));

        Assert.Equal(FindingCodes.NoSchema, finding.Code);
        Assert.Equal("no schema for Widget example.com/v1 in the schema set; add one or fix apiVersion/kind", finding.Message);
    }

    [Fact]
    public void Ctlptl_configs_are_checked_against_the_closest_oneOf_branch()
    {
        var finding = Assert.Single(FindingsFor("broken-resources.yaml", "Registry"));

        Assert.Equal((FindingCodes.Schema, "prot", "unknown field 'prot'"), (finding.Code, finding.Path, finding.Message));
    }

    [Fact]
    public void Helm_values_overrides_are_checked_against_the_subchart()
    {
        var schemaDirectory = SchemaDirectory.Require();
        var validator = new HelmValuesValidator(new ResourceSchemaCatalog(schemaDirectory), schemaDirectory);

        var findings = validator.Validate(Path.Combine(AppContext.BaseDirectory, "fixtures", "charts", "broken", "values.yaml"), "values.yaml");
        foreach (var finding in findings)
        {
            output.WriteLine(finding.ToString());
        }

        Assert.Equal(
            [
                (FindingSeverity.Error, FindingCodes.HelmValues, "rabbitmq: expected an integer, got the string \"two\" (subchart schema rabbitmq-16.0.16)"),
                (FindingSeverity.Warning, FindingCodes.HelmValues, "rabbitmq.persistance does not exist in rabbitmq-16.0.16's values.yaml; the chart probably ignores it"),
            ],
            findings.Select(Summary));
        Assert.Equal(3, findings[0].Line);
    }
}
