using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace DaprOrders.Bench.Load;

/// <summary>
/// Order submissions as Ordering's intake takes them: structured CloudEvents (<c>daprorders.order.submitted.v1</c>),
/// each with a unique id (the order's idempotency key), one line of one unit on one of <c>skus</c>.
/// </summary>
internal sealed class OrderEvents(string runId, IReadOnlyList<string> skus)
{
    public const string Source = "daprorders-bench";
    public const string CloudEventsJson = "application/cloudevents+json";
    private static readonly MediaTypeHeaderValue ContentType = new(CloudEventsJson);

    public string RunId { get; } = runId;

    public IReadOnlyList<string> Skus { get; } = skus;

    public byte[] Body(long sequence)
    {
        var sku = Skus[(int)(((sequence % Skus.Count) + Skus.Count) % Skus.Count)];
        var customer = Math.Abs(sequence % 97).ToString("D3", CultureInfo.InvariantCulture);
        var json = $$$"""{"specversion":"1.0","id":"{{{RunId}}}-{{{sequence}}}","source":"{{{Source}}}","type":"daprorders.order.submitted.v1","datacontenttype":"application/json","data":{"customerId":"customer-bench-{{{customer}}}","currency":"EUR","lines":[{"sku":"{{{sku}}}","quantity":1,"unitPrice":499}]}}""";
        return Encoding.UTF8.GetBytes(json);
    }

    public HttpRequestMessage Request(Uri ordersUrl, long sequence)
    {
        var content = new ByteArrayContent(Body(sequence));
        content.Headers.ContentType = ContentType;
        return new HttpRequestMessage(HttpMethod.Post, ordersUrl) { Content = content };
    }
}
