using DaprOrders.Deployment.Validation;
using Xunit.Abstractions;

namespace DaprOrders.Deployment.Tests;

/// <summary>Every YAML document in the repository against the upstream schemas and contrib metadata.</summary>
public sealed class RepositoryYamlTests(ITestOutputHelper output)
{
    private static readonly RepositoryLayout s_repository = RepositoryLayout.Locate();
    private static readonly Lazy<DaprResourceValidator> s_validator = new(() => DaprResourceValidator.FromSchemaDirectory(SchemaDirectory.Require()));

    public static TheoryData<string> ResourceFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in s_repository.ResourceFiles())
        {
            data.Add(s_repository.Relative(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ResourceFiles))]
    public void Resource_file_is_valid(string file)
    {
        var findings = new List<Finding>();
        var documents = YamlResourceReader.ReadFile(Path.Combine(s_repository.Root, file), file, findings);
        foreach (var document in documents)
        {
            findings.AddRange(s_validator.Value.Validate(document));
        }

        foreach (var finding in findings)
        {
            output.WriteLine(finding.ToString());
        }

        Assert.NotEmpty(documents);
        Assert.DoesNotContain(findings, f => f.Severity == FindingSeverity.Error);
        // Our own Dapr files are held to the stricter standard: no aliases, no case mismatches, no deprecations.
        if (file.StartsWith("components/", StringComparison.Ordinal))
        {
            Assert.Empty(findings);
        }
    }

    [Fact]
    public void Discovery_covers_every_component_folder_and_skips_fixtures()
    {
        var files = s_repository.ResourceFiles().Select(s_repository.Relative).ToList();

        foreach (var expected in DaprOrdersSystem.ResourceSets.Values.SelectMany(f => f).Distinct())
        {
            Assert.Contains(files, f => f.StartsWith(expected + "/", StringComparison.Ordinal));
        }

        Assert.Contains("components/config/config.yaml", files);
        Assert.DoesNotContain(files, f => f.Contains("/fixtures/", StringComparison.Ordinal));
    }

    [Fact]
    public void Helm_values_files_pass_chart_and_subchart_schemas()
    {
        var schemaDirectory = SchemaDirectory.Require();
        var validator = new HelmValuesValidator(new ResourceSchemaCatalog(schemaDirectory), schemaDirectory);
        var findings = s_repository.HelmValuesFiles()
            .SelectMany(f => validator.Validate(f, s_repository.Relative(f)))
            .ToList();

        foreach (var finding in findings)
        {
            output.WriteLine(finding.ToString());
        }

        Assert.DoesNotContain(findings, f => f.Severity == FindingSeverity.Error);
    }

    [Fact]
    public void Every_component_type_and_version_in_the_repository_is_known_to_contrib()
    {
        var catalog = new ComponentMetadataCatalog(SchemaDirectory.Require());
        var components = s_repository.ResourceFiles()
            .SelectMany(f => YamlResourceReader.ReadFile(f, s_repository.Relative(f), []))
            .Where(r => r.Kind == "Component")
            .ToList();

        Assert.NotEmpty(components);
        Assert.All(components, c => Assert.NotNull(catalog.Find(ResourceSet.SpecType(c), (string?)c.Json.SelectToken("spec.version")).Version));
        // The PostgreSQL variant must really be v2: an empty version or v1 silently selects v1.
        Assert.All(components.Where(c => ResourceSet.SpecType(c) == "state.postgresql"),
            c => Assert.Equal("v2", (string?)c.Json.SelectToken("spec.version")));
    }
}
