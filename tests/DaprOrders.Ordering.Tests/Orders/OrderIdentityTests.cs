using System.Text;
using DaprOrders.Contracts;
using DaprOrders.Ordering.Intake;
using DaprOrders.Ordering.Orders;

namespace DaprOrders.Ordering.Tests.Orders;

public sealed class OrderIdentityTests
{
    [Fact]
    public void The_order_id_is_a_stable_version_8_uuid_of_source_and_id()
    {
        var first = OrderIdentity.DeriveOrderId("/shop", "e-1");
        var again = OrderIdentity.DeriveOrderId("/shop", "e-1");

        Assert.Equal(first, again);
        Assert.True(OrderIdentity.IsOrderId(first));
        var uuid = Guid.ParseExact(first, "D");
        Assert.Equal(8, uuid.Version);
        Assert.Equal('8', first[14]);
        Assert.Contains(first[19], "89ab");
    }

    [Fact]
    public void The_order_id_is_sha256_of_source_newline_id()
    {
        // First 16 bytes of SHA-256("/shop\ne-1") with version and variant bits applied, computed independently.
        var hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes("/shop\ne-1"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexStringLower(hash.AsSpan(0, 16));
        var expected = $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";

        Assert.Equal(expected, OrderIdentity.DeriveOrderId("/shop", "e-1"));
    }

    [Theory]
    [InlineData("/shop", "e-2")]
    [InlineData("/shop2", "e-1")]
    [InlineData("/sho", "pe-1")]
    public void A_different_source_or_id_gives_a_different_order(string source, string id) =>
        Assert.NotEqual(OrderIdentity.DeriveOrderId("/shop", "e-1"), OrderIdentity.DeriveOrderId(source, id));

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("6F9619FF-8B86-D011-B42D-00C04FC964FF")]
    [InlineData("{6f9619ff-8b86-d011-b42d-00c04fc964ff}")]
    [InlineData("")]
    public void Only_the_derived_lower_case_form_is_an_order_id(string value) => Assert.False(OrderIdentity.IsOrderId(value));

    [Fact]
    public void The_payload_hash_ignores_whitespace_member_order_and_unknown_members()
    {
        var compact = Hash("""{"customerId":"c-1","currency":"EUR","lines":[{"sku":"a","quantity":2,"unitPrice":100}]}""");
        var reordered = Hash("""
            {
              "lines": [ { "unitPrice": 100, "quantity": 2, "sku": "a" } ],
              "currency": "EUR",
              "customerId": "c-1",
              "note": "ignored, like every unknown member"
            }
            """);

        Assert.Equal(compact, reordered);
        Assert.StartsWith("sha256:", compact, StringComparison.Ordinal);
        Assert.Equal(7 + 64, compact.Length);
    }

    [Theory]
    [InlineData("""{"customerId":"c-2","currency":"EUR","lines":[{"sku":"a","quantity":2,"unitPrice":100},{"sku":"b","quantity":1,"unitPrice":5}]}""")]
    [InlineData("""{"customerId":"c-1","currency":"USD","lines":[{"sku":"a","quantity":2,"unitPrice":100},{"sku":"b","quantity":1,"unitPrice":5}]}""")]
    [InlineData("""{"customerId":"c-1","currency":"EUR","lines":[{"sku":"a","quantity":3,"unitPrice":100},{"sku":"b","quantity":1,"unitPrice":5}]}""")]
    [InlineData("""{"customerId":"c-1","currency":"EUR","lines":[{"sku":"a","quantity":2,"unitPrice":101},{"sku":"b","quantity":1,"unitPrice":5}]}""")]
    [InlineData("""{"customerId":"c-1","currency":"EUR","lines":[{"sku":"b","quantity":1,"unitPrice":5},{"sku":"a","quantity":2,"unitPrice":100}]}""")]
    public void Any_change_to_what_is_ordered_changes_the_payload_hash(string other)
    {
        var original = Hash("""{"customerId":"c-1","currency":"EUR","lines":[{"sku":"a","quantity":2,"unitPrice":100},{"sku":"b","quantity":1,"unitPrice":5}]}""");

        Assert.NotEqual(original, Hash(other));
    }

    [Fact]
    public void A_submission_becomes_a_submitted_order_with_its_total_and_key()
    {
        var now = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        var submission = Parse("""{"customerId":"c-1","currency":"EUR","lines":[{"sku":"a","quantity":2,"unitPrice":1999},{"sku":"b","quantity":1,"unitPrice":1}]}""");
        var cloudEvent = new CloudNative.CloudEvents.CloudEvent
        {
            Id = "e-1",
            Source = new Uri("/shop", UriKind.Relative),
            Type = EventTypes.OrderSubmitted,
        };

        var order = OrderSubmissionReader.ToOrder(new ValidSubmission(cloudEvent, submission), now);

        Assert.Equal(OrderIdentity.DeriveOrderId("/shop", "e-1"), order.OrderId);
        Assert.Equal(new Money(3999, "EUR"), order.Total);
        Assert.Equal(OrderStatus.Submitted, order.Status);
        Assert.Equal([new OrderHistoryEntry(OrderStatus.Submitted, now)], order.History);
        Assert.Equal(new OrderSubmissionKey("/shop", "e-1", OrderIdentity.HashPayload("c-1", "EUR", order.Lines)), order.Submission);
    }

    private static string Hash(string json)
    {
        var submission = Parse(json);
        OrderLine[] lines = [.. submission.Lines!.Select(l => new OrderLine(l!.Sku!, (int)l.Quantity!.Value, l.UnitPrice!.Value))];
        return OrderIdentity.HashPayload(submission.CustomerId!, submission.Currency!, lines);
    }

    private static OrderSubmission Parse(string json)
    {
        Assert.True(OrderSubmissionValidator.TryParse(Encoding.UTF8.GetBytes(json), out var submission, out var errors), string.Join("; ", errors));
        return submission;
    }
}
