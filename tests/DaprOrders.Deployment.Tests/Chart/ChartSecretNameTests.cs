using Newtonsoft.Json.Linq;

namespace DaprOrders.Deployment.Tests.Chart;

/// <summary>
/// The Secrets a values file expects you to create never share a name with a Secret that the chart or a subchart
/// renders: Helm refuses to adopt an object it did not create ("invalid ownership metadata"), and without the
/// pre-created one the workload reads keys the rendered Secret lacks.
/// </summary>
public sealed class ChartSecretNameTests
{
    public static TheoryData<string> ValuesFiles() => [.. DaprOrdersChart.ValuesFiles];

    [Theory]
    [MemberData(nameof(ValuesFiles))]
    public void Secrets_you_create_never_share_a_name_with_a_rendered_secret(string valuesFile)
    {
        var values = DaprOrdersChart.ValuesWith(valuesFile);
        var expected = SecretsYouCreate(values);
        var rendered = RenderedSecrets(values);

        var collisions = expected.Where(e => rendered.ContainsKey(e.Key)).Select(e => $"'{e.Key}' ({e.Value}) is also rendered by {rendered[e.Key]}").ToList();
        Assert.True(collisions.Count == 0, $"{valuesFile}:\n" + string.Join("\n", collisions));
    }

    [Fact]
    public void Rabbitmq_renders_its_own_secret_unless_both_existing_secrets_are_named()
    {
        // The model below, pinned on the shapes the old values-prod.yaml had.
        var values = JObject.Parse("""{"rabbitmq":{"enabled":true,"fullnameOverride":"daprorders-rabbitmq","auth":{"existingPasswordSecret":"daprorders-rabbitmq"}}}""");
        Assert.Equal("daprorders-rabbitmq", Assert.Single(RenderedSecrets(values)).Key);
        Assert.Contains("daprorders-rabbitmq", SecretsYouCreate(values).Keys);

        values.SelectToken("rabbitmq.auth")!["existingErlangSecret"] = "daprorders-rabbitmq-credentials";
        Assert.Empty(RenderedSecrets(values));
    }

    /// <summary>Secret names the values point at that nothing in the release creates: the operator creates them.</summary>
    private static Dictionary<string, string> SecretsYouCreate(JObject values)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string path, bool when = true)
        {
            if (when && values.SelectToken(path) is { Type: JTokenType.String } token && (string)token! is { Length: > 0 } name)
            {
                names.TryAdd(name, path);
            }
        }

        Add("secretStore.secretName", when: values.SelectToken("secretStore.create")?.Value<bool>() != true);
        Add("dapr.apiTokenSecret");
        Add("dapr.appTokenSecret");
        Add("operatorAccess.secretName", when: values.SelectToken("operatorAccess.create")?.Value<bool>() != true && Empty(values, "operatorAccess.jwt.authority"));
        Add("ingress.tls.secretName", when: values.SelectToken("ingress.tls.enabled")?.Value<bool>() == true);
        Add("rabbitmq.auth.existingPasswordSecret", when: Enabled(values, "rabbitmq"));
        Add("rabbitmq.auth.existingErlangSecret", when: Enabled(values, "rabbitmq"));
        Add("redis.auth.existingSecret", when: Enabled(values, "redis"));
        Add("postgresql.auth.existingSecret", when: Enabled(values, "postgresql"));
        return names;
    }

    /// <summary>
    /// Secrets the release renders, by name. The subcharts' conditions are read from their templates (bitnami/charts):
    /// rabbitmq templates/secrets.yaml renders "fullname" while either auth.existingPasswordSecret or
    /// auth.existingErlangSecret is empty; redis templates/secret.yaml renders "fullname" while auth.enabled (default
    /// true) and auth.existingSecret is empty; postgresql templates/secrets.yaml likewise without auth.existingSecret.
    /// Every subchart here sets fullnameOverride, which is then its fullname.
    /// </summary>
    private static Dictionary<string, string> RenderedSecrets(JObject values)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        if (values.SelectToken("secretStore.create")?.Value<bool>() == true)
        {
            names.TryAdd((string)values.SelectToken("secretStore.secretName")!, "the chart (secretStore.create)");
        }

        if (values.SelectToken("operatorAccess.create")?.Value<bool>() == true && Empty(values, "operatorAccess.jwt.authority"))
        {
            names.TryAdd((string)values.SelectToken("operatorAccess.secretName")!, "the chart (operatorAccess.create)");
        }

        if (Enabled(values, "rabbitmq") && (Empty(values, "rabbitmq.auth.existingPasswordSecret") || Empty(values, "rabbitmq.auth.existingErlangSecret")))
        {
            names.TryAdd(FullnameOf(values, "rabbitmq"), "the rabbitmq subchart");
        }

        if (Enabled(values, "redis") && values.SelectToken("redis.auth.enabled")?.Value<bool>() != false && Empty(values, "redis.auth.existingSecret"))
        {
            names.TryAdd(FullnameOf(values, "redis"), "the redis subchart");
        }

        if (Enabled(values, "postgresql") && Empty(values, "postgresql.auth.existingSecret"))
        {
            names.TryAdd(FullnameOf(values, "postgresql"), "the postgresql subchart");
        }

        return names;
    }

    private static bool Enabled(JObject values, string subchart) => values.SelectToken(subchart + ".enabled")?.Value<bool>() == true;

    private static bool Empty(JObject values, string path) => string.IsNullOrEmpty((string?)values.SelectToken(path));

    private static string FullnameOf(JObject values, string subchart)
    {
        var fullname = (string?)values.SelectToken(subchart + ".fullnameOverride");
        Assert.False(string.IsNullOrEmpty(fullname), $"{subchart}.fullnameOverride is not set; the secret-name check needs it");
        return fullname!;
    }
}
