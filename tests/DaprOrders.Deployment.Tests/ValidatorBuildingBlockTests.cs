using DaprOrders.Deployment.Validation;
using Newtonsoft.Json.Linq;

namespace DaprOrders.Deployment.Tests;

/// <summary>Unit tests of the pieces the validator is built from; no upstream schemas needed.</summary>
public sealed class ValidatorBuildingBlockTests
{
    [Fact]
    public void Yaml_scalars_are_typed_by_the_yaml_1_2_core_schema_and_quoting()
    {
        var json = ResourceSetTests.Parse(
            """
            int: 8080
            quotedInt: "8080"
            bool: true
            quotedBool: 'true'
            yes: yes
            float: 1.5
            hex: 0x1F
            nothing: ~
            empty:
            tagged: !!str 42
            block: |
              text
            duration: 5s
            """);

        Assert.Equal(JTokenType.Integer, json["int"]!.Type);
        Assert.Equal(JTokenType.String, json["quotedInt"]!.Type);
        Assert.Equal(JTokenType.Boolean, json["bool"]!.Type);
        Assert.Equal(JTokenType.String, json["quotedBool"]!.Type);
        Assert.Equal(JTokenType.String, json["yes"]!.Type); // YAML 1.1 booleans are strings in 1.2
        Assert.Equal(1.5, (double)json["float"]!);
        Assert.Equal(31, (long)json["hex"]!);
        Assert.Equal(JTokenType.Null, json["nothing"]!.Type);
        Assert.Equal(JTokenType.Null, json["empty"]!.Type);
        Assert.Equal("42", (string?)json["tagged"]);
        Assert.Equal("text\n", (string?)json["block"]);
        Assert.Equal("5s", (string?)json["duration"]);
    }

    [Fact]
    public void Plain_yaml_1_1_booleans_are_reported_because_kubernetes_reads_them_as_booleans()
    {
        var findings = new List<Finding>();

        YamlResourceReader.ReadText("annotations:\n  dapr.io/enabled: yes\n  quoted: \"on\"\n", "x.yaml", findings);

        var finding = Assert.Single(findings);
        Assert.Equal((FindingCodes.Yaml11Boolean, 2), (finding.Code, finding.Line));
        Assert.Equal("plain 'yes' is a boolean in YAML 1.1, which Kubernetes, Helm and daprd (go-yaml) use; quote it or write true/false", finding.Message);
    }

    [Fact]
    public void Yaml_tokens_remember_their_line()
    {
        var resource = YamlResourceReader.ReadText("a: 1\n---\nb:\n  c:\n    - d: 2\n", "x.yaml", []);

        Assert.Equal(2, resource.Count);
        Assert.Equal(1, resource[1].Document);
        Assert.Equal(5, YamlResource.LineOf(resource[1].Json.SelectToken("b.c[0].d")));
    }

    [Fact]
    public void Duplicate_keys_and_broken_yaml_are_reported_not_thrown()
    {
        var findings = new List<Finding>();

        var documents = YamlResourceReader.ReadText("a: 1\na: 2\n", "dup.yaml", findings);

        Assert.Empty(documents);
        var finding = Assert.Single(findings);
        Assert.Equal(FindingCodes.YamlSyntax, finding.Code);
        Assert.Equal(2, finding.Line);
    }

    [Theory]
    [InlineData("5s", 5_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("300ms", 300)]
    [InlineData("-2s", -2_000)]
    [InlineData("0", 0)]
    public void Go_durations_parse_like_time_ParseDuration(string text, long milliseconds)
    {
        Assert.True(GoValueSyntax.TryParseDuration(text, out var duration));
        Assert.Equal(milliseconds, (long)duration.TotalMilliseconds);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("1d")]
    [InlineData("5 s")]
    [InlineData("")]
    [InlineData("s")]
    public void Strings_that_are_not_go_durations_are_rejected(string text) =>
        Assert.False(GoValueSyntax.TryParseDuration(text, out _));

    [Fact]
    public void Metadata_value_types_follow_daprd_weak_decoding()
    {
        Assert.True(GoValueSyntax.IsBool("T"));
        Assert.False(GoValueSyntax.IsBool("yes"));
        Assert.True(GoValueSyntax.IsDuration("30")); // bare integers are accepted by kit's duration hook
        Assert.True(GoValueSyntax.IsNumber("1.5e3"));
        Assert.False(GoValueSyntax.IsNumber("ten"));
        Assert.True(GoValueSyntax.IsQuantity("100Mi"));
        Assert.False(GoValueSyntax.IsQuantity("100MB"));
    }

    [Fact]
    public void Topic_acl_follows_daprd_rules_for_allowed_protected_and_unscoped_apps()
    {
        var acl = TopicAccessControl.FromMetadata(new Dictionary<string, string>
        {
            ["AllowedTopics"] = "orders, payments, secret",
            ["protectedTopics"] = "secret",
            ["publishingScopes"] = "ordering=orders; payment=",
        });

        Assert.True(acl.IsAllowedToPublish("ordering", "orders"));
        Assert.False(acl.IsAllowedToPublish("ordering", "payments")); // has an entry, topic not in it
        Assert.False(acl.IsAllowedToPublish("payment", "payments")); // empty entry: nothing allowed
        Assert.True(acl.IsAllowedToPublish("audit", "payments")); // no entry, not protected
        Assert.False(acl.IsAllowedToPublish("audit", "secret")); // protected needs an entry
        Assert.False(acl.IsAllowedToPublish("ordering", "unlisted")); // not in allowedTopics
        Assert.True(acl.IsAllowedToSubscribe("ordering", "payments")); // no subscriptionScopes at all
    }

    [Fact]
    public void Outbox_internal_topic_is_namespace_app_topic_outbox()
    {
        Assert.Equal("orderingorder-createdoutbox", ResourceSetValidator.OutboxInternalTopic("ordering", "order-created"));
        Assert.Equal("shoporderingorder-createdoutbox", ResourceSetValidator.OutboxInternalTopic("ordering", "order-created", "shop"));
    }
}
