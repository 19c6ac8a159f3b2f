using System.Text.Json;
using System.Text.Json.Nodes;

namespace DaprOrders.Contracts.Tests;

public sealed class EventSchemaTests
{
    public static TheoryData<string> AllTypes => [.. EventCatalog.All.Select(e => e.Type)];

    public static TheoryData<string> PublishedTypes => [.. EventCatalog.Published.Select(e => e.Type)];

    [Theory]
    [MemberData(nameof(AllTypes))]
    public async Task Sample_serialized_with_the_source_generated_context_validates(string type)
    {
        var contract = EventCatalog.Get(type);
        var json = Serialize(contract);
        var schema = await ContractFiles.SchemaAsync(contract.SchemaName);

        Assert.Empty(schema.Validate(json));
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void Sample_uses_camel_case_integer_money_and_rfc3339_time(string type)
    {
        var node = JsonNode.Parse(Serialize(EventCatalog.Get(type)))!.AsObject();

        Assert.All(node, p => Assert.True(char.IsLower(p.Key[0]), $"{p.Key} is not camelCase"));
        foreach (var money in new[] { "total", "amount" }.Select(k => node[k]).OfType<JsonObject>())
        {
            Assert.Equal(JsonValueKind.Number, money["amount"]!.GetValueKind());
            Assert.Equal(4997, money["amount"]!.GetValue<long>());
            Assert.Equal("EUR", money["currency"]!.GetValue<string>());
        }

        foreach (var (key, value) in node.Where(p => p.Key.EndsWith("At", StringComparison.Ordinal)))
        {
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})\z", value!.GetValue<string>());
        }
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void Sample_round_trips_through_the_context(string type)
    {
        var contract = EventCatalog.Get(type);
        var json = Serialize(contract);

        var back = JsonSerializer.Deserialize(json, contract.DataTypeInfo);

        Assert.IsType(contract.DataType, back);
        Assert.Equal(json, JsonSerializer.Serialize(back, contract.DataTypeInfo));
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public async Task Removing_any_required_member_fails_validation(string type)
    {
        var contract = EventCatalog.Get(type);
        var schema = await ContractFiles.SchemaAsync(contract.SchemaName);
        Assert.NotEmpty(schema.RequiredProperties);

        foreach (var required in schema.RequiredProperties)
        {
            var node = JsonNode.Parse(Serialize(contract))!.AsObject();
            Assert.True(node.Remove(required), $"sample lacks {required}");

            Assert.NotEmpty(schema.Validate(node.ToJsonString()));
        }
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public async Task A_member_of_the_wrong_type_fails_validation(string type)
    {
        var contract = EventCatalog.Get(type);
        var schema = await ContractFiles.SchemaAsync(contract.SchemaName);

        foreach (var member in JsonNode.Parse(Serialize(contract))!.AsObject().Select(p => p.Key))
        {
            var node = JsonNode.Parse(Serialize(contract))!.AsObject();
            node[member] = true;

            Assert.NotEmpty(schema.Validate(node.ToJsonString()));
        }
    }

    [Theory]
    [MemberData(nameof(PublishedTypes))]
    public async Task PascalCase_members_fail_validation(string type)
    {
        var contract = EventCatalog.Get(type);
        var schema = await ContractFiles.SchemaAsync(contract.SchemaName);
        var pascal = new JsonObject();
        foreach (var (key, value) in JsonNode.Parse(Serialize(contract))!.AsObject())
        {
            pascal[char.ToUpperInvariant(key[0]) + key[1..]] = value?.DeepClone();
        }

        Assert.NotEmpty(schema.Validate(pascal.ToJsonString()));
    }

    [Theory]
    [InlineData("19.99")]
    [InlineData("\"1999\"")]
    [InlineData("-1")]
    public async Task Money_amount_must_be_a_non_negative_integer(string amount)
    {
        var contract = EventCatalog.Get(EventTypes.PaymentSucceeded);
        var schema = await ContractFiles.SchemaAsync(contract.SchemaName);
        var node = JsonNode.Parse(Serialize(contract))!;
        node["amount"]!["amount"] = JsonNode.Parse(amount);

        Assert.NotEmpty(schema.Validate(node.ToJsonString()));
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("23/11/2026 18:45")]
    public async Task Timestamps_must_be_rfc3339(string time)
    {
        var contract = EventCatalog.Get(EventTypes.OrderCompleted);
        var schema = await ContractFiles.SchemaAsync(contract.SchemaName);
        var node = JsonNode.Parse(Serialize(contract))!;
        node["completedAt"] = time;

        Assert.NotEmpty(schema.Validate(node.ToJsonString()));
    }

    [Fact]
    public async Task Enums_travel_as_kebab_case_strings()
    {
        var cancelled = new OrderCancelled("o-1", "c-1", CancellationReason.OutOfStock, DateTimeOffset.UnixEpoch);
        var json = JsonSerializer.Serialize(cancelled, ContractsJsonContext.Default.OrderCancelled);

        Assert.Contains("\"reason\":\"out-of-stock\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("detail", json, StringComparison.Ordinal);
        Assert.Empty((await ContractFiles.SchemaAsync("order-cancelled.v1.json")).Validate(json));
        Assert.Equal(
            CancellationReason.DeadlineExceeded,
            JsonSerializer.Deserialize(json.Replace("out-of-stock", "deadline-exceeded", StringComparison.Ordinal), ContractsJsonContext.Default.OrderCancelled)!.Reason);
        Assert.Contains("\"kind\":\"order-cancelled\"", JsonSerializer.Serialize(
            new NotificationSent("o-1", "c-1", NotificationKind.OrderCancelled, "email", DateTimeOffset.UnixEpoch),
            ContractsJsonContext.Default.NotificationSent), StringComparison.Ordinal);
    }

    [Fact]
    public void Consumers_tolerate_unknown_members_but_reject_missing_required_ones()
    {
        const string WithExtra = """{"orderId":"o-1","customerId":"c-1","total":{"amount":5,"currency":"EUR","fx":1},"completedAt":"2026-11-23T18:45:46Z","loyaltyPoints":12}""";
        const string WithoutTotal = """{"orderId":"o-1","customerId":"c-1","completedAt":"2026-11-23T18:45:46Z"}""";
        const string NullOrderId = """{"orderId":null,"customerId":"c-1","total":{"amount":5,"currency":"EUR"},"completedAt":"2026-11-23T18:45:46Z"}""";

        var completed = JsonSerializer.Deserialize(WithExtra, ContractsJsonContext.Default.OrderCompleted)!;

        Assert.Equal(new Money(5, "EUR"), completed.Total);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 18, 45, 46, TimeSpan.Zero), completed.CompletedAt);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(WithoutTotal, ContractsJsonContext.Default.OrderCompleted));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(NullOrderId, ContractsJsonContext.Default.OrderCompleted));
    }

    [Theory]
    [MemberData(nameof(PublishedTypes))]
    public async Task A_Dapr_delivered_envelope_around_the_sample_validates_against_cloudevent_json(string type)
    {
        var contract = EventCatalog.Get(type);
        var envelope = new JsonObject
        {
            ["data"] = JsonNode.Parse(Serialize(contract)),
            ["datacontenttype"] = "application/json",
            ["id"] = "5929aaac-a5e2-4ca1-859c-edfe73f11565",
            ["pubsubname"] = PubSub.Name,
            ["source"] = contract.Publisher,
            ["specversion"] = "1.0",
            ["time"] = "2026-11-23T18:45:46Z",
            ["topic"] = contract.Topic,
            ["traceid"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ["tracestate"] = "",
            ["type"] = contract.Type,
        };
        var cloudEvent = await ContractFiles.SchemaAsync(ContractSchemas.CloudEvent);

        Assert.Empty(cloudEvent.Validate(envelope.ToJsonString()));

        var withoutSource = envelope.DeepClone().AsObject();
        withoutSource.Remove("source");
        Assert.NotEmpty(cloudEvent.Validate(withoutSource.ToJsonString()));

        var dataTwice = envelope.DeepClone().AsObject();
        dataTwice["data_base64"] = "e30=";
        Assert.NotEmpty(cloudEvent.Validate(dataTwice.ToJsonString()));
    }

    private static string Serialize(EventContract contract) =>
        JsonSerializer.Serialize(Samples.ByType[contract.Type], contract.DataTypeInfo);
}
