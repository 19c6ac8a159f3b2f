using System.Text.Json.Nodes;
using NJsonSchema;

namespace DaprOrders.Contracts.Tests;

public sealed class CatalogConsistencyTests
{
    public static TheoryData<string> SchemaNames => [.. ContractSchemas.Names];

    [Theory]
    [MemberData(nameof(SchemaNames))]
    public async Task Every_schema_parses_as_draft_07_and_has_its_id(string name)
    {
        var text = ContractSchemas.ReadText(name);
        var schema = await JsonSchema.FromJsonAsync(text);

        Assert.Equal(new Uri(ContractSchemas.IdBase, name).ToString(), JsonNode.Parse(text)!["$id"]!.GetValue<string>());
        Assert.Equal("http://json-schema.org/draft-07/schema#", schema.SchemaVersion);
        Assert.False(string.IsNullOrWhiteSpace(schema.Description));
    }

    [Theory]
    [MemberData(nameof(SchemaNames))]
    public void Embedded_schema_is_the_file_shipped_next_to_asyncapi_yaml(string name) =>
        Assert.Equal(File.ReadAllText(ContractFiles.SchemaPath(name)), ContractSchemas.ReadText(name));

    [Fact]
    public void Catalog_and_schema_files_match_one_to_one()
    {
        var catalogued = EventCatalog.All.Select(e => e.SchemaName).Append(ContractSchemas.CloudEvent).Order(StringComparer.Ordinal);

        Assert.Equal(catalogued, ContractSchemas.Names);
    }

    [Fact]
    public void Catalog_types_are_unique_and_follow_the_naming_rule()
    {
        Assert.Equal(EventCatalog.All.Count, EventCatalog.All.Select(e => e.Type).Distinct().Count());
        Assert.All(EventCatalog.All, e => Assert.Matches(@"^daprorders\.[a-z]+\.[a-z]+\.v[0-9]+\z", e.Type));
        var constants = typeof(EventTypes).GetFields().Select(f => (string)f.GetRawConstantValue()!);
        Assert.Equal(constants.Order(StringComparer.Ordinal), EventCatalog.All.Select(e => e.Type).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_catalog_data_type_is_covered_by_the_source_generated_context()
    {
        Assert.All(EventCatalog.All, e => Assert.Equal(e.DataType, e.DataTypeInfo.Type));
    }

    [Fact]
    public void Every_published_event_has_a_topic_of_its_own_and_is_consumed_by_audit()
    {
        Assert.All(EventCatalog.Published, e =>
        {
            Assert.Contains(e.Topic!, Topics.Business);
            Assert.Single(EventCatalog.OnTopic(e.Topic!));
            Assert.Contains(AppIds.Audit, e.Subscribers);
        });
        Assert.Equal(Topics.Business.Order(StringComparer.Ordinal), EventCatalog.Published.Select(e => e.Topic!).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(Topics.DeadLetters, Topics.Business);
        Assert.Equal(
            [Topics.StockReserved, Topics.StockRejected, Topics.PaymentSucceeded, Topics.PaymentFailed],
            EventCatalog.TopicsSubscribedBy(AppIds.Ordering));
    }

    [Fact]
    public void Topics_are_the_kebab_case_of_their_event_and_unknown_types_have_none()
    {
        // daprorders.order.created.v1 -> order-created, the eShopOnDapr idiom of one topic named after each event.
        Assert.All(EventCatalog.Published, e => Assert.Equal(string.Join('-', e.Type.Split('.')[1..^1]), Topics.Of(e.Type)));
        Assert.Throws<KeyNotFoundException>(() => Topics.Of(EventTypes.OrderSubmitted));
        Assert.Throws<KeyNotFoundException>(() => Topics.Of("daprorders.order.created.v2"));
    }

    [Fact]
    public void Currency_enum_in_every_schema_is_the_Currencies_list()
    {
        var expected = Currencies.All.Select(c => c.Code).Order(StringComparer.Ordinal).ToArray();
        foreach (var name in ContractSchemas.Names.Where(n => n != ContractSchemas.CloudEvent))
        {
            var definitions = JsonNode.Parse(ContractSchemas.ReadText(name))!["definitions"]!.AsObject();
            var currency = definitions["currency"]?["enum"]?.AsArray();
            if (currency is not null)
            {
                Assert.Equal(expected, currency.Select(c => c!.GetValue<string>()));
            }
        }

        Assert.True(Currencies.TryGet("JPY", out var yen));
        Assert.Equal(0, yen.MinorUnits);
        Assert.False(Currencies.IsKnown("eur"));
    }
}
