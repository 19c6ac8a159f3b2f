using DaprOrders.Deployment.Validation;
using Newtonsoft.Json.Linq;
using Xunit.Abstractions;

namespace DaprOrders.Deployment.Tests.Chart;

/// <summary>values*.yaml against values.schema.json (merged the way Helm merges them) and the dependency charts.</summary>
public sealed class ChartValuesTests(ITestOutputHelper output)
{
    private static HelmValuesValidator Validator()
    {
        var schemaDirectory = SchemaDirectory.Require();
        return new HelmValuesValidator(new ResourceSchemaCatalog(schemaDirectory), schemaDirectory);
    }

    public static TheoryData<string> ValuesFiles() => [.. DaprOrdersChart.ValuesFiles];

    [Theory]
    [MemberData(nameof(ValuesFiles))]
    public void Values_file_passes_the_chart_schema_and_the_dependency_charts(string file)
    {
        var findings = Validator().Validate(DaprOrdersChart.PathOf(file), file);
        foreach (var finding in findings)
        {
            output.WriteLine(finding.ToString());
        }

        // Not even warnings: a key the upstream chart does not know is a typo the chart would silently ignore.
        Assert.Empty(findings);
    }

    [Fact]
    public void Broken_override_fails_with_each_mistake_named()
    {
        var fixture = Path.Combine(AppContext.BaseDirectory, "fixtures", "charts", "dapr-orders-broken", "values-broken.yaml");
        var findings = Validator().Validate(fixture, "values-broken.yaml", DaprOrdersChart.Directory);
        foreach (var finding in findings)
        {
            output.WriteLine(finding.ToString());
        }

        var summary = findings.Select(f => (f.Severity, f.Path, f.Message)).ToList();
        Assert.Contains((FindingSeverity.Error, "replicaCount", "unknown field 'replicaCount'"), summary);
        Assert.Contains((FindingSeverity.Error, "pubsub.type", "the string \"redis\" is not one of the allowed values"), summary);
        Assert.Contains((FindingSeverity.Error, "services.ordering.publc", "unknown field 'publc'"), summary);
        Assert.Contains(summary, f => f.Path == "services.ordering.replicas" && f.Message.StartsWith("NumberTooSmall", StringComparison.Ordinal));
        Assert.Contains(summary, f => f.Path == "services.ordering.port" && f.Message.StartsWith("NumberTooBig", StringComparison.Ordinal));
        Assert.Contains((FindingSeverity.Warning, "rabbitmq.persistance", "rabbitmq.persistance does not exist in rabbitmq-16.0.16's values.yaml; the chart probably ignores it"), summary);
        Assert.Equal(6, findings.Count);
    }

    [Fact]
    public void Schema_is_draft_07_and_closes_the_top_level_and_each_service()
    {
        var schema = DaprOrdersChart.Schema;

        Assert.Equal("http://json-schema.org/draft-07/schema#", (string?)schema["$schema"]);
        Assert.False((bool)schema["additionalProperties"]!);
        Assert.False((bool)schema.SelectToken("definitions.service.additionalProperties")!);
        Assert.Equal(["rabbitmq", "kafka", "nats"], DaprOrdersChart.EnumOf("properties.pubsub.properties.type"));
        Assert.Equal(["redis", "postgresql"], DaprOrdersChart.EnumOf("properties.state.properties.type"));
        // Every top-level key of values.yaml is declared (so the closed schema accepts the defaults).
        var declared = ((JObject)schema["properties"]!).Properties().Select(p => p.Name).ToHashSet();
        Assert.All(DaprOrdersChart.Values.Properties(), p => Assert.Contains(p.Name, declared));
    }

    [Fact]
    public void Merge_follows_helm_maps_merge_lists_replace_null_deletes()
    {
        var defaults = JObject.Parse("""{"a":{"x":1,"y":2},"l":[1,2],"s":"keep","gone":true}""");
        var overrides = JObject.Parse("""{"a":{"y":3},"l":[9],"gone":null}""");

        var merged = HelmValuesValidator.Merge(defaults, overrides);

        Assert.True(JToken.DeepEquals(JObject.Parse("""{"a":{"x":1,"y":3},"l":[9],"s":"keep"}"""), merged));
    }

    [Fact]
    public void Chart_declares_its_dependencies_with_conditions_that_exist_in_values()
    {
        var chart = DaprOrdersChart.ChartYaml;
        var values = DaprOrdersChart.Values;

        Assert.Equal("v2", (string?)chart["apiVersion"]);
        Assert.Equal("dapr-orders", (string?)chart["name"]);
        var dependencies = ((JArray)chart["dependencies"]!).Cast<JObject>().ToList();
        Assert.Equal(["rabbitmq", "prometheus", "kafka", "nats", "redis", "postgresql"], dependencies.Select(d => (string)d["name"]!));
        foreach (var dependency in dependencies)
        {
            var name = (string)dependency["name"]!;
            var condition = (string?)dependency["condition"];
            Assert.Equal(name + ".enabled", condition);
            Assert.Equal(JTokenType.Boolean, values.SelectToken(condition!)?.Type);
            Assert.False(string.IsNullOrEmpty((string?)dependency["version"]), name);
        }

        // The broker/store enabled by default are the ones the default pubsub.type / state.type need.
        Assert.True((bool)values.SelectToken((string)values.SelectToken("pubsub.type")! + ".enabled")!);
        Assert.True((bool)values.SelectToken((string)values.SelectToken("state.type")! + ".enabled")!);
    }

    [Fact]
    public void Verified_dependencies_match_the_upstream_values_in_the_schema_set()
    {
        var helmValues = Path.Combine(SchemaDirectory.Require(), "helm-values");
        var dependencies = ((JArray)DaprOrdersChart.ChartYaml["dependencies"]!).Cast<JObject>().ToDictionary(d => (string)d["name"]!);

        foreach (var name in new[] { "rabbitmq", "prometheus" })
        {
            var version = (string)dependencies[name]["version"]!;
            Assert.True(Directory.Exists(Path.Combine(helmValues, $"{name}-{version}")), $"{name} {version} has no upstream values in the schema set");
        }

        Assert.Equal("oci://registry-1.docker.io/bitnamicharts", (string?)dependencies["rabbitmq"]["repository"]);
        Assert.Equal("https://prometheus-community.github.io/helm-charts", (string?)dependencies["prometheus"]["repository"]);
    }

    [Fact]
    public void Bitnami_images_come_from_bitnamilegacy_with_the_chart_default_tag()
    {
        var values = DaprOrdersChart.Values;
        var upstream = DaprOrdersChart.ReadYaml(Path.Combine(SchemaDirectory.Require(), "helm-values", "rabbitmq-16.0.16", "values.yaml"));

        // Bitnami's 2025 catalog change: docker.io/bitnami/* stopped receiving these tags; bitnamilegacy keeps them.
        Assert.Equal("bitnami/rabbitmq", (string?)upstream.SelectToken("image.repository"));
        Assert.Equal("bitnamilegacy/rabbitmq", (string?)values.SelectToken("rabbitmq.image.repository"));
        Assert.Equal((string?)upstream.SelectToken("image.tag"), (string?)values.SelectToken("rabbitmq.image.tag"));
        Assert.True((bool)values.SelectToken("global.security.allowInsecureImages")!);
        Assert.All(new[] { "kafka", "redis", "postgresql" },
            chart => Assert.Equal($"bitnamilegacy/{chart}", (string?)values.SelectToken($"{chart}.image.repository")));
    }

    [Fact]
    public void Production_values_turn_on_replicas_autoscaling_disruption_budgets_tls_and_token_secrets()
    {
        var prod = DaprOrdersChart.ValuesWith("values-prod.yaml");

        foreach (var service in ((JObject)prod["services"]!).Properties())
        {
            Assert.True((int)service.Value["replicas"]! >= 2, service.Name);
            Assert.True((bool)service.Value.SelectToken("podDisruptionBudget.enabled")!, service.Name);
        }

        Assert.True((bool)prod.SelectToken("services.ordering.autoscaling.enabled")!);
        Assert.True((bool)prod.SelectToken("ingress.tls.enabled")!);
        Assert.False((bool)prod.SelectToken("secretStore.create")!);
        Assert.True((bool)prod.SelectToken("podSecurity.readOnlyRootFilesystem")!);
        Assert.True((bool)prod.SelectToken("networkPolicy.enabled")!);
        Assert.NotEqual("", (string?)prod.SelectToken("dapr.apiTokenSecret"));
        Assert.NotEqual("", (string?)prod.SelectToken("dapr.appTokenSecret"));
        Assert.NotEqual("", (string?)prod.SelectToken("image.tag"));
    }

    [Fact]
    public void Development_credentials_in_the_secret_store_match_the_development_broker_and_store()
    {
        var dev = DaprOrdersChart.ValuesWith("values-dev.yaml");
        var secrets = (JObject)dev.SelectToken("secretStore.values")!;
        var rabbitmq = new Uri((string)secrets["RABBITMQ_CONNECTION_STRING"]!);

        Assert.Equal($"{(string?)dev.SelectToken("rabbitmq.auth.username")}:{(string?)dev.SelectToken("rabbitmq.auth.password")}", Uri.UnescapeDataString(rabbitmq.UserInfo));
        Assert.Equal((string?)dev.SelectToken("rabbitmq.fullnameOverride"), rabbitmq.Host);
        Assert.Equal(5672, rabbitmq.Port);
        Assert.Equal((string?)dev.SelectToken("redis.auth.password"), (string?)secrets["REDIS_PASSWORD"]);
        Assert.Equal($"{(string?)dev.SelectToken("redis.fullnameOverride")}-master:6379", (string?)dev.SelectToken("state.redis.host"));
    }

    [Fact]
    public void Development_values_run_one_replica_of_each_service_from_tilt_images()
    {
        var dev = DaprOrdersChart.ValuesWith("values-dev.yaml");

        Assert.All(((JObject)dev["services"]!).Properties(), s => Assert.Equal(1, (int)s.Value["replicas"]!));
        Assert.Equal("daprorders", (string?)dev.SelectToken("image.registry"));
        Assert.Equal("debug", (string?)dev.SelectToken("dapr.logLevel"));
        // The only relaxation, for Tilt's live update; the default and production keep a read-only root filesystem.
        Assert.False((bool)dev.SelectToken("podSecurity.readOnlyRootFilesystem")!);
        Assert.True((bool)DaprOrdersChart.Values.SelectToken("podSecurity.readOnlyRootFilesystem")!);
    }
}
