using DaprOrders.Deployment.Validation;
using Newtonsoft.Json.Linq;
using Xunit.Abstractions;

namespace DaprOrders.Deployment.Tests.Chart;

/// <summary>
/// The chart's Dapr resources (files/dapr, rendered with tpl) are the components/ documents plus only the
/// differences docs/kubernetes.md lists: no drift between self-hosted and Kubernetes.
/// </summary>
public sealed class ChartDaprResourceTests(ITestOutputHelper output)
{
    private const string Namespace = "shop";

    /// <summary>
    /// The documented parameters of files/dapr and the value each has in the self-hosted components. Rendering the
    /// files with these values (and no namespace) must reproduce components/ exactly, up to the secretKeyRef shape.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, string> s_selfHostedParameters = new Dictionary<string, string>
    {
        ["state.redis.host"] = "localhost:6379",
        ["state.redis.enableTLS"] = "false",
        ["pubsub.kafka.brokers"] = "localhost:9092",
        ["pubsub.nats.url"] = "nats://localhost:4222",
        ["tracing.samplingRate"] = "1",
        ["tracing.otlpEndpoint"] = "localhost:4317",
        ["secretStore.secretName"] = "daprorders-infrastructure",
    };

    private static readonly Lazy<DaprResourceValidator> s_validator = new(() => DaprResourceValidator.FromSchemaDirectory(SchemaDirectory.Require()));

    public static TheoryData<string, string> Variants()
    {
        var data = new TheoryData<string, string>();
        foreach (var pubsub in DaprOrdersChart.EnumOf("properties.pubsub.properties.type"))
        {
            foreach (var state in DaprOrdersChart.EnumOf("properties.state.properties.type"))
            {
                data.Add(pubsub, state);
            }
        }

        return data;
    }

    private static IReadOnlyList<string> AllDaprFiles() =>
        [.. Directory.EnumerateFiles(DaprOrdersChart.PathOf("files/dapr"), "*.yaml", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(DaprOrdersChart.Directory, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];

    private static List<YamlResource> Render(string pubsub, string state, JObject values, string releaseNamespace, List<Finding> findings) =>
        [.. DaprOrdersChart.DaprResourceFiles(pubsub, state).SelectMany(file =>
        {
            var text = SimpleTemplateRenderer.Render(DaprOrdersChart.Text(file), file, values, releaseNamespace, "daprorders", findings);
            return YamlResourceReader.ReadText(text, file, findings);
        })];

    private static JObject SelfHostedValues()
    {
        var values = DaprOrdersChart.Values;
        foreach (var (path, value) in s_selfHostedParameters)
        {
            values.SelectToken(path)!.Replace(new JValue(value));
        }

        return values;
    }

    private void AssertNone(IEnumerable<Finding> findings)
    {
        var list = findings.ToList();
        foreach (var finding in list)
        {
            output.WriteLine(finding.ToString());
        }

        Assert.Empty(list);
    }

    [Fact]
    public void Dapr_files_use_only_the_documented_parameters_and_each_exists_in_values()
    {
        var used = AllDaprFiles().SelectMany(f => SimpleTemplateRenderer.ValuesPaths(DaprOrdersChart.Text(f))).ToHashSet();

        Assert.Equal(s_selfHostedParameters.Keys.Order(), used.Order());
        Assert.All(used, path => Assert.IsType<JValue>(DaprOrdersChart.Values.SelectToken(path)));
    }

    [Fact]
    public void Every_dapr_file_belongs_to_a_variant_and_the_helper_lists_the_same_files()
    {
        var variants = Variants().Select(v => (string)v[0]).Zip(Variants().Select(v => (string)v[1]));
        var used = variants.SelectMany(v => DaprOrdersChart.DaprResourceFiles(v.First, v.Second)).ToHashSet();

        Assert.Equal(AllDaprFiles(), used.Order(StringComparer.Ordinal));
        var helpers = DaprOrdersChart.Text("templates/_helpers.tpl");
        foreach (var pattern in new[]
                 {
                     "\"files/dapr/configuration.yaml\"", "\"files/dapr/resiliency.yaml\"",
                     "(printf \"files/dapr/pubsub/%s.yaml\" .Values.pubsub.type)",
                     "(printf \"files/dapr/state/%s/statestore.yaml\" .Values.state.type)",
                     "(printf \"files/dapr/state/%s/orderstore.yaml\" .Values.state.type)",
                 })
        {
            Assert.Contains(pattern, helpers, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Rendered_variant_passes_the_dapr_schemas_metadata_and_cross_checks(string pubsub, string state)
    {
        var findings = new List<Finding>();
        var resources = Render(pubsub, state, DaprOrdersChart.Values, Namespace, findings);
        AssertNone(findings);

        AssertNone(resources.SelectMany(r => s_validator.Value.Validate(r)));
        var set = ResourceSet.FromResources($"chart {pubsub}+{state}", resources);
        var topology = DaprOrdersSystem.Topology with { Namespace = Namespace };
        AssertNone(ResourceSetValidator.Validate(set, topology));

        Assert.Equal(["orderstore", "pubsub", "statestore"], set.Components.Select(c => c.Name!).Order());
        Assert.Equal((string?)DaprOrdersChart.Values.SelectToken("dapr.config"), set.OfKind("Configuration").Single().Name);
        Assert.Single(set.OfKind("Resiliency"));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Rendered_variant_equals_components_except_the_documented_differences(string pubsub, string state)
    {
        var findings = new List<Finding>();
        var rendered = Render(pubsub, state, SelfHostedValues(), "", findings);
        AssertNone(findings);

        var originals = new Dictionary<string, string>
        {
            ["pubsub"] = $"{DaprOrdersChart.ComponentsFolderOf(pubsub)}/pubsub.yaml",
            ["statestore"] = $"{DaprOrdersChart.ComponentsFolderOf(state)}/statestore.yaml",
            ["orderstore"] = $"{DaprOrdersChart.ComponentsFolderOf(state)}/orderstore.yaml",
            ["Resiliency"] = "components/shared/resiliency.yaml",
            ["Configuration"] = "components/config/config.yaml",
        };

        foreach (var resource in rendered)
        {
            var original = originals[resource.Kind == "Component" ? resource.Name! : resource.Kind!];
            var expected = YamlResourceReader.ReadFile(DaprOrdersChart.RepositoryPath(original), original, findings).Single().Json;
            var actual = WithSelfHostedSecretRefs(resource.Json);
            Assert.True(JToken.DeepEquals(expected, actual),
                $"{resource.File} differs from {original} beyond the documented differences:\n{actual}\nexpected:\n{expected}");
        }

        Assert.Equal(5, rendered.Count);
    }

    [Fact]
    public void Outbox_topic_scopes_are_prefixed_with_the_release_namespace()
    {
        var findings = new List<Finding>();
        foreach (var pubsub in DaprOrdersChart.EnumOf("properties.pubsub.properties.type"))
        {
            var file = $"files/dapr/pubsub/{pubsub}.yaml";
            var plain = YamlResourceReader.ReadText(SimpleTemplateRenderer.Render(DaprOrdersChart.Text(file), file, DaprOrdersChart.Values, "", "r", findings), file, findings).Single();
            var namespaced = YamlResourceReader.ReadText(SimpleTemplateRenderer.Render(DaprOrdersChart.Text(file), file, DaprOrdersChart.Values, Namespace, "r", findings), file, findings).Single();

            var plainMetadata = ResourceSet.InlineMetadata(plain);
            var namespacedMetadata = ResourceSet.InlineMetadata(namespaced);
            var changed = plainMetadata.Keys.Where(k => plainMetadata[k] != namespacedMetadata[k]).Order().ToList();
            Assert.Equal(["allowedTopics", "publishingScopes", "subscriptionScopes"], changed);
            Assert.All(changed, k => Assert.Equal(plainMetadata[k].Replace("orderingorder-createdoutbox", Namespace + "orderingorder-createdoutbox", StringComparison.Ordinal), namespacedMetadata[k]));

            var acl = TopicAccessControl.FromMetadata(namespacedMetadata);
            var internalTopic = ResourceSetValidator.OutboxInternalTopic("ordering", "order-created", Namespace);
            Assert.True(acl.IsAllowedToPublish("ordering", internalTopic));
            Assert.True(acl.IsAllowedToSubscribe("ordering", internalTopic));
            Assert.False(acl.IsAllowedToPublish("ordering", "orderingorder-createdoutbox"));
        }

        AssertNone(findings);
    }

    [Fact]
    public void Component_secrets_are_resolved_by_the_dapr_operator_so_the_pods_need_no_api_server_access()
    {
        // auth.secretStore "kubernetes" (or empty): the Dapr operator reads the Secret and hands daprd the values
        // (dapr/dapr pkg/operator/api/api.go, processComponentSecrets). Any other store name would be resolved by daprd
        // itself with the pod's ServiceAccount: a Role on Secrets and egress to the API server, which the chart no
        // longer grants (ChartTemplateTests / NetworkPolicyTests check that side).
        var withSecrets = AllDaprFiles()
            .SelectMany(f => YamlResourceReader.ReadText(DaprOrdersChart.Text(f), f, []))
            .Where(r => r.Json.SelectTokens("spec.metadata[*].secretKeyRef").Any())
            .ToList();

        Assert.NotEmpty(withSecrets);
        Assert.All(withSecrets, r => Assert.True((string?)r.Json.SelectToken("auth.secretStore") is null or "" or "kubernetes",
            $"{r.File}: auth.secretStore '{r.Json.SelectToken("auth.secretStore")}' makes daprd read the Secret itself"));
        Assert.All(AllDaprFiles().SelectMany(f => YamlResourceReader.ReadText(DaprOrdersChart.Text(f), f, [])),
            r => Assert.NotEqual("secretstores.kubernetes", ResourceSet.SpecType(r)));
    }

    [Fact]
    public void Secret_keys_are_the_self_hosted_names_and_development_values_provide_the_default_variant()
    {
        var localNames = File.ReadAllLines(DaprOrdersChart.RepositoryPath("components/local-dev-secrets/local-dev.env"))
            .Where(l => l.StartsWith("DAPRORDERS_", StringComparison.Ordinal))
            .Select(l => l["DAPRORDERS_".Length..l.IndexOf('=', StringComparison.Ordinal)])
            .ToHashSet();
        var keys = AllDaprFiles()
            .SelectMany(f => YamlResourceReader.ReadText(DaprOrdersChart.Text(f), f, []))
            .SelectMany(r => r.Json.SelectTokens("spec.metadata[*].secretKeyRef"))
            .ToList();

        Assert.NotEmpty(keys);
        Assert.All(keys, k => Assert.Contains((string)k["key"]!, localNames));
        Assert.All(keys, k => Assert.Equal("{{ .Values.secretStore.secretName }}", (string?)k["name"]));

        var dev = DaprOrdersChart.ValuesWith("values-dev.yaml");
        var devKeys = ((JObject)dev.SelectToken("secretStore.values")!).Properties().Select(p => p.Name).ToHashSet();
        var defaultVariant = DaprOrdersChart.DaprResourceFiles((string)dev.SelectToken("pubsub.type")!, (string)dev.SelectToken("state.type")!);
        var needed = defaultVariant
            .SelectMany(f => YamlResourceReader.ReadText(DaprOrdersChart.Text(f), f, []))
            .SelectMany(r => r.Json.SelectTokens("spec.metadata[*].secretKeyRef.key"))
            .Select(k => (string)k!)
            .ToHashSet();
        Assert.Subset(devKeys, needed);
        Assert.True((bool)dev.SelectToken("secretStore.create")!);
    }

    [Fact]
    public void Resource_scopes_name_exactly_the_app_ids_of_the_chart_services()
    {
        var appIds = ((JObject)DaprOrdersChart.Values["services"]!).Properties().Select(p => (string)p.Value["appId"]!).ToHashSet();
        var scoped = AllDaprFiles()
            .SelectMany(f => YamlResourceReader.ReadText(DaprOrdersChart.Text(f), f, []))
            .SelectMany(ResourceSet.ScopesOf)
            .ToHashSet();

        Assert.Equal(appIds.Order(), scoped.Order());
    }

    /// <summary>secretKeyRef {name: Secret, key: K} and auth.secretStore kubernetes back to {name: K} and the local env store.</summary>
    private static JToken WithSelfHostedSecretRefs(JToken resource)
    {
        var copy = resource.DeepClone();
        foreach (var reference in copy.SelectTokens("spec.metadata[*].secretKeyRef").OfType<JObject>().ToList())
        {
            Assert.Equal(s_selfHostedParameters["secretStore.secretName"], (string?)reference["name"]);
            reference.Replace(new JObject(new JProperty("name", reference["key"]!.DeepClone())));
        }

        // The operator-resolved Kubernetes store stands for the local env store the self-hosted files name.
        if (copy.SelectToken("auth.secretStore") is JValue { Value: "kubernetes" } store)
        {
            store.Value = "secretstore";
        }

        return copy;
    }
}
