using System.Text;
using System.Text.Json;
using DaprOrders.Ordering.Intake;

namespace DaprOrders.Ordering.Tests.Intake;

// CloudEvents 1.0.2: spec.md (attributes), formats/json-format.md, bindings/http-protocol-binding.md (three modes).
public sealed class CloudEventHttpBindingTests
{
    private const string Submission = """{"customerId":"c-1","currency":"EUR","lines":[{"sku":"sku-1","quantity":2,"unitPrice":1999}]}""";

    private static readonly KeyValuePair<string, string>[] NoHeaders = [];

    [Fact]
    public void Structured_mode_reads_attributes_extensions_and_json_data()
    {
        var body = $$$"""{"specversion":"1.0","id":"e-1","source":"/shop","type":"daprorders.order.submitted.v1","time":"2026-11-23T10:00:00.123Z","traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01","data":{{{Submission}}}}""";

        var result = CloudEventHttpBinding.Read("application/cloudevents+json; charset=utf-8", NoHeaders, Encoding.UTF8.GetBytes(body));

        Assert.True(result.IsValid);
        var cloudEvent = Assert.Single(result.Events);
        Assert.Equal(CloudEventMode.Structured, result.Mode);
        Assert.Equal(("e-1", "/shop", "daprorders.order.submitted.v1"), (cloudEvent.Id, cloudEvent.Source?.OriginalString, cloudEvent.Type));
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 0, 0, 123, TimeSpan.Zero), cloudEvent.Time);
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", cloudEvent["traceparent"]);
        Assert.Equal("c-1", Assert.IsType<JsonElement>(cloudEvent.Data).GetProperty("customerId").GetString());
    }

    [Fact]
    public void Batch_mode_reads_every_event_and_names_errors_by_index()
    {
        var body = $$$"""[{"specversion":"1.0","id":"a","source":"s","type":"t","data":{{{Submission}}}},{"specversion":"0.3","id":"","source":"s","type":"t","data":{}}]""";

        var result = CloudEventHttpBinding.Read("application/cloudevents-batch+json", NoHeaders, Encoding.UTF8.GetBytes(body));

        Assert.Equal(CloudEventMode.Batch, result.Mode);
        Assert.False(result.IsValid);
        var errors = result.Errors.ToDictionary();
        Assert.Contains("[1].specversion", errors.Keys);
        Assert.Contains("[1].id", errors.Keys);
        Assert.DoesNotContain(errors.Keys, k => k.StartsWith("[0]", StringComparison.Ordinal));
    }

    [Fact]
    public void Binary_mode_reads_percent_encoded_ce_headers_and_the_body_as_data()
    {
        KeyValuePair<string, string>[] headers =
        [
            new("ce-specversion", "1.0"),
            new("ce-id", "b-1"),
            new("ce-source", "/shop%20front"),
            new("ce-type", "daprorders.order.submitted.v1"),
            new("ce-partition", "p7"),
        ];

        var result = CloudEventHttpBinding.Read("application/json", headers, Encoding.UTF8.GetBytes(Submission));

        Assert.True(result.IsValid);
        var cloudEvent = Assert.Single(result.Events);
        Assert.Equal(CloudEventMode.Binary, result.Mode);
        Assert.Equal("/shop front", cloudEvent.Source?.OriginalString);
        Assert.Equal("application/json", cloudEvent.DataContentType);
        Assert.Equal("p7", cloudEvent["partition"]);
        Assert.Equal(2, Assert.IsType<JsonElement>(cloudEvent.Data).GetProperty("lines")[0].GetProperty("quantity").GetInt32());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData(null)]
    public void A_body_that_is_no_cloudevent_is_an_unsupported_media_type(string? contentType)
    {
        var result = CloudEventHttpBinding.Read(contentType, NoHeaders, Encoding.UTF8.GetBytes(Submission));

        Assert.True(result.UnsupportedMediaType);
        Assert.False(result.IsValid);
    }

    [Fact]
    public void Binary_mode_with_non_json_data_is_an_unsupported_media_type()
    {
        KeyValuePair<string, string>[] headers = [new("ce-specversion", "1.0"), new("ce-id", "x"), new("ce-source", "s"), new("ce-type", "t")];

        var result = CloudEventHttpBinding.Read("text/plain", headers, Encoding.UTF8.GetBytes("hello"));

        Assert.True(result.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("""{"specversion":"1.0","id":"x","source":"s","type":"t"}""", "data")]
    [InlineData("""{"specversion":"2.0","id":"x","source":"s","type":"t","data":{}}""", "specversion")]
    [InlineData("""{"id":"x","source":"s","type":"t","data":{}}""", "specversion")]
    [InlineData("""{"specversion":"1.0","source":"s","type":"t","data":{}}""", "id")]
    [InlineData("""{"specversion":"1.0","id":"x","type":"t","data":{}}""", "source")]
    [InlineData("""{"specversion":"1.0","id":"x","source":"s","data":{}}""", "type")]
    [InlineData("""{"specversion":"1.0","id":"x","source":"s","type":"t","time":"yesterday","data":{}}""", "time")]
    [InlineData("""{"specversion":"1.0","id":"x","source":"s","type":"t","Bad_Name":"v","data":{}}""", "Bad_Name")]
    [InlineData("""{"specversion":"1.0","id":"x","source":"s","type":"t","averyveryverylongextension":"v","data":{}}""", "averyveryverylongextension")]
    [InlineData("""{"specversion":"1.0","id":"x","source":"s","type":"t","datacontenttype":"text/plain","data":"hi"}""", "datacontenttype")]
    [InlineData("""{"specversion":"1.0","id":"x","source":"s","type":"t","datacontenttype":"text/plain","data":{"a":1}}""", "datacontenttype")]
    [InlineData("""{"specversion":"1.0","id":"x","source":"s","type":"t","data_base64":"aGk="}""", "data_base64")]
    [InlineData("""{"specversion":"1.0","id":"x","source":"s","type":"t","data_base64":"aGk="}""", "data")]
    [InlineData("""{"specversion":"1.0","id":"x","source":"s","type":"t","ext":1.5,"data":{}}""", "ext")]
    [InlineData("""{"specversion":"1.0","id":{"nested":1},"source":"s","type":"t","data":{}}""", "id")]
    [InlineData("""[1,2]""", "$")]
    [InlineData("""{"specversion":"1.0",""", "$")]
    public void Structured_mode_names_the_attribute_that_is_wrong(string body, string field)
    {
        var result = CloudEventHttpBinding.Read("application/cloudevents+json", NoHeaders, Encoding.UTF8.GetBytes(body));

        Assert.False(result.IsValid);
        Assert.Contains(field, result.Errors.ToDictionary().Keys);
        Assert.Empty(result.Events);
    }

    [Fact]
    public void Deep_nesting_is_refused_as_invalid_json_rather_than_recursed()
    {
        var deep = new string('[', 200) + new string(']', 200);
        var body = $$$"""{"specversion":"1.0","id":"x","source":"s","type":"t","data":{{{deep}}}}""";

        var result = CloudEventHttpBinding.Read("application/cloudevents+json", NoHeaders, Encoding.UTF8.GetBytes(body));

        Assert.False(result.IsValid);
        Assert.Contains("$", result.Errors.ToDictionary().Keys);
    }

    [Fact]
    public void A_batch_larger_than_the_limit_is_refused()
    {
        var one = """{"specversion":"1.0","id":"x","source":"s","type":"t","data":{}}""";
        var body = "[" + string.Join(',', Enumerable.Repeat(one, CloudEventHttpBinding.MaxBatchSize + 1)) + "]";

        var result = CloudEventHttpBinding.Read("application/cloudevents-batch+json", NoHeaders, Encoding.UTF8.GetBytes(body));

        Assert.False(result.IsValid);
        Assert.Contains("$", result.Errors.ToDictionary().Keys);
    }
}
