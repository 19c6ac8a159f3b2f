using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Dapr.Client.Autogen.Grpc.v1;
using DaprOrders.Ordering.Orders;
using DaprOrders.Ordering.Tests.Infrastructure;

namespace DaprOrders.Ordering.Tests.Api;

public sealed class SubmitOrderTests : IAsyncLifetime
{
    private const string Submission = """{"customerId":"c-1","currency":"EUR","lines":[{"sku":"sku-1","quantity":2,"unitPrice":1999}]}""";
    private const string OrderCreated = "daprorders.order.created.v1";

    private OrderingHost _host = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await OrderingHost.StartAsync(new Dictionary<string, string?>
        {
            ["Ordering:Intake:MaxEventBytes"] = "2048",
            ["Ordering:Intake:MaxBatchBytes"] = "8192",
        });
        _client = _host.Client;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_structured_event_becomes_an_order_and_its_created_event_in_one_outbox_transaction()
    {
        var orderId = OrderIdentity.DeriveOrderId("/shop", "e-1");

        using var response = await _client.SendAsync(Structured("e-1", Submission));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"/orders/{orderId}", response.Headers.Location?.OriginalString);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(orderId, (string?)body["orderId"]);
        Assert.Equal("Submitted", (string?)body["status"]);

        var transaction = OrderingHost.GrpcMessage(Assert.Single(Transactions()), ExecuteStateTransactionRequest.Parser);
        Assert.Equal("orderstore", transaction.StoreName);
        var operations = transaction.Operations;
        Assert.Equal(2, operations.Count);

        var order = operations[0];
        Assert.Equal("upsert", order.OperationType);
        Assert.Equal($"order-{orderId}", order.Request.Key);
        Assert.Equal(StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite, order.Request.Options.Concurrency);
        Assert.Null(order.Request.Etag);
        // daprd turns the state op's metadata into attributes of the published CloudEvent.
        Assert.Equal(["type=" + OrderCreated], Entries(order.Request.Metadata));
        var document = JsonNode.Parse(order.Request.Value.ToStringUtf8())!;
        Assert.Equal("Submitted", (string?)document["status"]);
        Assert.Equal(3998, (long)document["total"]!["amount"]!);
        Assert.Equal("/shop", (string?)document["submission"]!["source"]);
        Assert.True(JsonNode.DeepEquals(document, await _host.StateAsync($"order-{orderId}")), "the stored document is the one written");

        var projection = operations[1];
        Assert.Equal("upsert", projection.OperationType);
        Assert.Equal($"order-{orderId}", projection.Request.Key);
        Assert.Equal(["contentType=application/json", "outbox.projection=true", "type=" + OrderCreated], Entries(projection.Request.Metadata));
        var expected = JsonNode.Parse($$"""
            {"orderId":"{{orderId}}","customerId":"c-1","currency":"EUR",
             "lines":[{"sku":"sku-1","quantity":2,"unitPrice":1999}],"total":{"amount":3998,"currency":"EUR"},
             "createdAt":"2026-11-23T12:00:00+00:00"}
            """);
        var created = JsonNode.Parse(projection.Request.Value.ToStringUtf8())!;
        Assert.True(JsonNode.DeepEquals(expected, created), created.ToJsonString());

        // The outbox published the projection as order.created.
        var published = Assert.Single(await _host.PublishedAsync(OrderCreated));
        Assert.Equal("application/json", published.GetProperty("datacontenttype").GetString());
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(published.GetProperty("data").GetRawText())), published.GetRawText());

        // What is stored is read before the transaction, so a repeat never runs an outbox transaction bound to fail.
        Assert.Single(_host.Faults.CallsTo(OrderingHost.GetState), call => call.Body.Contains("order-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_repeat_returns_the_same_order_without_a_second_event()
    {
        using var first = await _client.SendAsync(Structured("e-2", Submission));
        // Same payload, other whitespace and member order: still the same submission.
        using var repeat = await _client.SendAsync(Structured("e-2", """
            { "lines": [ { "unitPrice": 1999, "sku": "sku-1", "quantity": 2 } ], "currency": "EUR", "customerId": "c-1" }
            """));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, repeat.StatusCode);
        Assert.Equal(first.Headers.Location, repeat.Headers.Location);
        Assert.Single(await _host.PublishedAsync(OrderCreated));
        // The repeat is a read, not a transaction bound to fail.
        Assert.Single(Transactions());
    }

    [Fact]
    public async Task A_repeat_on_another_instance_is_resolved_by_the_store()
    {
        var otherClient = _host.StartAnotherInstance();

        using var first = await _client.SendAsync(Structured("e-2b", Submission));
        using var repeat = await otherClient.SendAsync(Structured("e-2b", Submission));
        using var conflict = await otherClient.SendAsync(Structured("e-2b", Submission.Replace("c-1", "c-2", StringComparison.Ordinal)));

        Assert.Equal(HttpStatusCode.Accepted, repeat.StatusCode);
        Assert.Equal(first.Headers.Location, repeat.Headers.Location);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Single(await _host.PublishedAsync(OrderCreated));
        // Neither the repeat nor the conflict on the other instance runs an outbox transaction that would fail.
        Assert.Single(Transactions());
    }

    [Fact]
    public async Task The_same_source_and_id_with_another_payload_is_a_conflict()
    {
        using var first = await _client.SendAsync(Structured("e-3", Submission));
        using var other = await _client.SendAsync(Structured("e-3", Submission.Replace("\"quantity\":2", "\"quantity\":3", StringComparison.Ordinal)));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.Equal("application/problem+json", other.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await other.Content.ReadAsStringAsync())!;
        Assert.Equal(409, (int)problem["status"]!);
        Assert.Equal(OrderIdentity.DeriveOrderId("/shop", "e-3"), (string?)problem["orderId"]);
        Assert.Single(await _host.PublishedAsync(OrderCreated));
        Assert.Single(Transactions());
    }

    [Fact]
    public async Task Concurrent_duplicates_make_exactly_one_order_and_one_event()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => _client.SendAsync(Structured("e-race", Submission))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        Assert.Single(responses.Select(r => r.Headers.Location).Distinct());
        Assert.Single(await _host.PublishedAsync(OrderCreated));
        // On one instance concurrent duplicates share a single transaction.
        Assert.Single(Transactions());
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Theory]
    [InlineData("application/cloudevents+json; charset=utf-8")]
    [InlineData("Application/CloudEvents+JSON")]
    public async Task Media_type_parameters_and_case_do_not_matter(string contentType)
    {
        using var response = await _client.SendAsync(Post(Event("m-1", Submission), contentType));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Binary_mode_is_accepted()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = new StringContent(Submission, Encoding.UTF8, "application/json") };
        request.Headers.Add("ce-specversion", "1.0");
        request.Headers.Add("ce-id", "b-1");
        request.Headers.Add("ce-source", "/shop");
        request.Headers.Add("ce-type", "daprorders.order.submitted.v1");

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"/orders/{OrderIdentity.DeriveOrderId("/shop", "b-1")}", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_batch_answers_one_result_per_event()
    {
        var batch = $"[{Event("b-1", Submission)},{Event("b-2", Submission)},{Event("b-1", Submission)}]";

        using var response = await _client.SendAsync(Post(batch, "application/cloudevents-batch+json"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var results = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(3, results.Count);
        Assert.Equal(OrderIdentity.DeriveOrderId("/shop", "b-1"), (string?)results[0]!["orderId"]);
        Assert.Equal(OrderIdentity.DeriveOrderId("/shop", "b-2"), (string?)results[1]!["orderId"]);
        Assert.Equal((string?)results[0]!["orderId"], (string?)results[2]!["orderId"]);
        Assert.Equal(["created", "duplicate"], new[] { (string?)results[0]!["outcome"], (string?)results[2]!["outcome"] }.Order().Distinct());
        Assert.Equal(2, (await _host.PublishedAsync(OrderCreated)).Count);
    }

    [Fact]
    public async Task A_batch_with_any_invalid_event_stores_nothing_and_names_the_fields()
    {
        var bad = Submission.Replace("\"customerId\":\"c-1\",", "", StringComparison.Ordinal);
        var batch = $"[{Event("v-1", Submission)},{Event("v-2", bad)}]";

        using var response = await _client.SendAsync(Post(batch, "application/cloudevents-batch+json"));

        var errors = await ValidationErrorsAsync(response);
        Assert.Equal(["[1].data.customerId"], errors.Keys);
        Assert.Empty(Transactions());
    }

    [Theory]
    [InlineData("""{"customerId":"c-1","currency":"EUR","lines":[{"sku":"sku-1","quantity":0,"unitPrice":1999}]}""", "data.lines[0].quantity")]
    [InlineData("""{"customerId":"c-1","currency":"eur","lines":[{"sku":"sku-1","quantity":1,"unitPrice":1999}]}""", "data.currency")]
    [InlineData("""{"customerId":"c-1","currency":"EUR","lines":[{"sku":"sku-1","quantity":"2","unitPrice":1999}]}""", "data.lines[0].quantity")]
    [InlineData("""{"customerId":"c-1","currency":"EUR","lines":[]}""", "data.lines")]
    [InlineData("""[]""", "data")]
    public async Task Invalid_data_is_a_validation_problem_naming_the_field(string data, string field)
    {
        using var response = await _client.SendAsync(Structured("x-1", data));

        var errors = await ValidationErrorsAsync(response);
        Assert.Contains(field, errors.Keys);
        Assert.Empty(Transactions());
    }

    [Theory]
    [InlineData("""{"specversion":"1.0","id":"x","source":"/shop","type":"daprorders.order.created.v1","data":{}}""", "type")]
    [InlineData("""{"specversion":"0.3","id":"x","source":"/shop","type":"daprorders.order.submitted.v1","data":{}}""", "specversion")]
    [InlineData("""{"specversion":"1.0","source":"/shop","type":"daprorders.order.submitted.v1","data":{}}""", "id")]
    public async Task Invalid_attributes_are_a_validation_problem_naming_the_attribute(string body, string field)
    {
        using var response = await _client.SendAsync(Post(body, "application/cloudevents+json"));

        var errors = await ValidationErrorsAsync(response);
        Assert.Contains(field, errors.Keys);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/json")]
    public async Task A_body_that_is_no_cloudevent_is_415(string contentType)
    {
        using var response = await _client.SendAsync(Post(Submission, contentType));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_oversized_body_is_413()
    {
        var large = Submission.Replace("\"c-1\"", $"\"c-1\",\"padding\":\"{new string('x', 4096)}\"", StringComparison.Ordinal);

        using var response = await _client.SendAsync(Structured("big", large));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(Transactions());
    }

    [Fact]
    public async Task A_failing_sidecar_is_503_and_the_order_can_be_resubmitted()
    {
        _host.Faults.FailWhen = call => call.Path == OrderingHost.ExecuteStateTransaction;

        using var failed = await _client.SendAsync(Structured("e-retry", Submission));
        _host.Faults.FailWhen = null;
        using var retried = await _client.SendAsync(Structured("e-retry", Submission));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal("application/problem+json", failed.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        Assert.Single(await _host.PublishedAsync(OrderCreated));
    }

    [Fact]
    public async Task A_submitted_order_can_be_read_back()
    {
        using var submitted = await _client.SendAsync(Structured("e-read", Submission));

        using var response = await _client.GetAsync(submitted.Headers.Location);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var order = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(OrderIdentity.DeriveOrderId("/shop", "e-read"), (string?)order["orderId"]);
        Assert.Equal("Submitted", (string?)order["status"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"amount":3998,"currency":"EUR"}"""), order["total"]));
        Assert.Equal("Submitted", (string?)order["history"]![0]!["status"]);
        Assert.Null(order["submission"]);
        Assert.Null(order["cancellationReason"]);
    }

    [Theory]
    [InlineData("/orders/0f8fad5b-d9cb-869f-a165-70867728950e")]
    [InlineData("/orders/not-an-order")]
    public async Task An_unknown_order_is_404_problem(string path)
    {
        using var response = await _client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static string Event(string id, string data) =>
        $$$"""{"specversion":"1.0","id":"{{{id}}}","source":"/shop","type":"daprorders.order.submitted.v1","data":{{{data}}}}""";

    private static HttpRequestMessage Structured(string id, string data) => Post(Event(id, data), "application/cloudevents+json");

    private static HttpRequestMessage Post(string body, string contentType) => OrderingHost.PostOrders(body, contentType);

    private static IEnumerable<string> Entries(IDictionary<string, string> metadata) =>
        metadata.Select(m => $"{m.Key}={m.Value}").Order(StringComparer.Ordinal);

    private IReadOnlyList<SidecarCall> Transactions() => _host.Faults.CallsTo(OrderingHost.ExecuteStateTransaction);

    private static async Task<Dictionary<string, string[]>> ValidationErrorsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return problem["errors"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.AsArray().Select(v => (string)v!).ToArray());
    }
}
