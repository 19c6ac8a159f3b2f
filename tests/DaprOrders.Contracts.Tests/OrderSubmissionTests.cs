using System.Text;
using System.Text.Json;

namespace DaprOrders.Contracts.Tests;

public sealed class OrderSubmissionTests
{
    private const string Example = """{"customerId": "c-1", "currency": "EUR", "lines": [{"sku": "sku-1", "quantity": 2, "unitPrice": 1999}]}""";

    [Fact]
    public async Task The_documented_example_validates_and_deserializes()
    {
        var schema = await ContractFiles.SchemaAsync("order-submitted.v1.json");

        Assert.Empty(schema.Validate(Example));
        Assert.True(OrderSubmissionValidator.TryParse(Encoding.UTF8.GetBytes(Example), out var submission, out var errors));
        Assert.Empty(errors);
        Assert.Equal("c-1", submission.CustomerId);
        Assert.Equal("EUR", submission.Currency);
        var line = Assert.Single(submission.Lines!);
        Assert.Equal(new OrderSubmissionLine { Sku = "sku-1", Quantity = 2, UnitPrice = 1999 }, line);
    }

    [Fact]
    public async Task Extra_members_are_allowed_at_every_level()
    {
        const string Json = """{"customerId":"c-1","currency":"EUR","note":"gift","lines":[{"sku":"sku-1","quantity":2,"unitPrice":1999,"color":"red"}]}""";
        var schema = await ContractFiles.SchemaAsync("order-submitted.v1.json");

        Assert.Empty(schema.Validate(Json));
        Assert.True(OrderSubmissionValidator.TryParse(Encoding.UTF8.GetBytes(Json), out _, out _));
    }

    /// <summary>Each case: a body, and the field the validator must name (null when the body is valid).</summary>
    public static TheoryData<string, string?> Cases => new()
    {
        { Example, null },
        { Submission(quantity: "10000", unitPrice: "0"), null },
        { Submission(unitPrice: "1000000000"), null },
        { Submission(sku: "\"A\""), null },
        { Submission(sku: Quote(new string('s', 64))), null },
        { Submission(customerId: Quote(new string('c', 128))), null },
        { Submission(customerId: "\"Zoë Ünïcode 顧客\""), null },
        { Submission(currency: "\"JPY\""), null },
        { Submission(lines: string.Join(',', Enumerable.Repeat(Line(), 100))), null },

        { Submission(quantity: "0"), "lines[0].quantity" },
        { Submission(quantity: "-1"), "lines[0].quantity" },
        { Submission(quantity: "10001"), "lines[0].quantity" },
        { Submission(quantity: "9223372036854775807"), "lines[0].quantity" },
        { Submission(quantity: "2.5"), "lines[0].quantity" },
        { Submission(quantity: "\"2\""), "lines[0].quantity" },
        { Submission(quantity: "null"), "lines[0].quantity" },
        { Submission(unitPrice: "-1"), "lines[0].unitPrice" },
        { Submission(unitPrice: "1000000001"), "lines[0].unitPrice" },
        { Submission(unitPrice: "-9223372036854775808"), "lines[0].unitPrice" },
        { Submission(unitPrice: "1e30"), "lines[0].unitPrice" },
        { Submission(unitPrice: "19.99"), "lines[0].unitPrice" },
        { """{"customerId":"c-1","currency":"EUR","lines":[{"sku":"sku-1","quantity":2}]}""", "lines[0].unitPrice" },
        { Submission(currency: "\"XXX\""), "currency" },
        { Submission(currency: "\"eur\""), "currency" },
        { Submission(currency: "\"EURO\""), "currency" },
        { Submission(currency: "null"), "currency" },
        { """{"customerId":"c-1","lines":[{"sku":"sku-1","quantity":2,"unitPrice":1999}]}""", "currency" },
        { Submission(lines: ""), "lines" },
        { Submission(lines: string.Join(',', Enumerable.Repeat(Line(), 101))), "lines" },
        { """{"customerId":"c-1","currency":"EUR"}""", "lines" },
        { Submission(lines: "null"), "lines[0]" },
        { Submission(sku: "\"\""), "lines[0].sku" },
        { Submission(sku: "\"-sku\""), "lines[0].sku" },
        { Submission(sku: "\"sku 1\""), "lines[0].sku" },
        { Submission(sku: "\"sku/1\""), "lines[0].sku" },
        { Submission(sku: Quote(new string('s', 65))), "lines[0].sku" },
        { Submission(sku: "42"), "lines[0].sku" },
        { Submission(customerId: "\"\""), "customerId" },
        { Submission(customerId: Quote(new string('c', 129))), "customerId" },
        { Submission(customerId: "\"c\\u0001\""), "customerId" },
        { Submission(customerId: "\"c\\n1\""), "customerId" },
        { Submission(customerId: "\"c\\u007F\""), "customerId" },
        { Submission(customerId: "\"c\\u0085\""), "customerId" },
        { """{"currency":"EUR","lines":[{"sku":"sku-1","quantity":2,"unitPrice":1999}]}""", "customerId" },
        { "null", OrderSubmissionValidator.BodyField },
        { "[]", OrderSubmissionValidator.BodyField },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Validator_agrees_with_the_schema(string json, string? badField)
    {
        var schema = await ContractFiles.SchemaAsync("order-submitted.v1.json");

        var schemaErrors = schema.Validate(json);
        var accepted = OrderSubmissionValidator.TryParse(Encoding.UTF8.GetBytes(json), out var submission, out var errors);

        Assert.Equal(badField is null, schemaErrors.Count == 0);
        Assert.Equal(badField is null, accepted);
        if (badField is null)
        {
            Assert.NotNull(submission);
            Assert.Empty(errors);
        }
        else
        {
            Assert.Null(submission);
            Assert.Equal(badField, Assert.Single(errors).Field);
        }
    }

    [Theory]
    [InlineData("9223372036854775808")]
    [InlineData("99999999999999999999")]
    public void Integers_beyond_int64_are_reported_against_their_field(string quantity)
    {
        // Not in the agreement table: NJsonSchema 11 throws on integers it reads as BigInteger instead of
        // reporting them; the schema's maximum rejects them in conforming validators.
        var json = Submission(quantity: quantity);

        Assert.False(OrderSubmissionValidator.TryParse(Encoding.UTF8.GetBytes(json), out _, out var errors));

        Assert.Equal("lines[0].quantity", Assert.Single(errors).Field);
    }

    [Fact]
    public void Every_bad_field_is_reported_not_just_the_first()
    {
        const string Json = """{"customerId":"","currency":"XXX","lines":[{"sku":"ok","quantity":1,"unitPrice":1},{"sku":"!","quantity":0,"unitPrice":-5}]}""";

        Assert.False(OrderSubmissionValidator.TryParse(Encoding.UTF8.GetBytes(Json), out _, out var errors));

        Assert.Equal(
            ["customerId", "currency", "lines[1].sku", "lines[1].quantity", "lines[1].unitPrice"],
            errors.Select(e => e.Field));
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Message)));
    }

    [Fact]
    public void Sku_pattern_has_ECMA_262_end_anchor_semantics()
    {
        // .NET's $ would accept a trailing newline; the schema's ECMA-262 $ does not, and neither does the validator.
        var submission = new OrderSubmission
        {
            CustomerId = "c-1",
            Currency = "EUR",
            Lines = [new OrderSubmissionLine { Sku = "sku-1\n", Quantity = 1, UnitPrice = 1 }],
        };

        Assert.Equal("lines[0].sku", Assert.Single(OrderSubmissionValidator.Validate(submission)).Field);
    }

    [Fact]
    public void Total_is_computed_in_minor_units_and_overflow_is_detected()
    {
        Assert.True(OrderSubmissionValidator.TryComputeTotal(
            [new OrderSubmissionLine { Quantity = 2, UnitPrice = 1999 }, new OrderSubmissionLine { Quantity = 1, UnitPrice = 999 }],
            out var total));
        Assert.Equal(4997, total);

        Assert.False(OrderSubmissionValidator.TryComputeTotal(
            [new OrderSubmissionLine { Quantity = 2, UnitPrice = long.MaxValue / 2 + 1 }], out _));
        Assert.False(OrderSubmissionValidator.TryComputeTotal(
            [new OrderSubmissionLine { Quantity = 1, UnitPrice = long.MaxValue }, new OrderSubmissionLine { Quantity = 1, UnitPrice = 1 }], out _));
    }


    [Fact]
    public void Field_errors_serialize_with_the_context_for_problem_details()
    {
        IReadOnlyList<FieldError> errors = [new("lines[0].quantity", "must be between 1 and 10000")];

        var json = JsonSerializer.Serialize(errors, ContractsJsonContext.Default.IReadOnlyListFieldError);

        Assert.Equal("""[{"field":"lines[0].quantity","message":"must be between 1 and 10000"}]""", json);
    }

    private static string Line(string sku = "\"sku-1\"", string quantity = "2", string unitPrice = "1999") =>
        $$"""{"sku":{{sku}},"quantity":{{quantity}},"unitPrice":{{unitPrice}}}""";

    private static string Submission(
        string customerId = "\"c-1\"",
        string currency = "\"EUR\"",
        string? lines = null,
        string sku = "\"sku-1\"",
        string quantity = "2",
        string unitPrice = "1999") =>
        $$"""{"customerId":{{customerId}},"currency":{{currency}},"lines":[{{lines ?? Line(sku, quantity, unitPrice)}}]}""";

    private static string Quote(string value) => $"\"{value}\"";
}
