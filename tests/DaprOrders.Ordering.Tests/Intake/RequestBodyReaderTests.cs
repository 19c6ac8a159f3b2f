using DaprOrders.Ordering.Intake;
using Microsoft.AspNetCore.Http;

namespace DaprOrders.Ordering.Tests.Intake;

public sealed class RequestBodyReaderTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5000)]
    [InlineData(10_000)]
    public async Task A_body_within_the_limit_is_read_whole_without_content_length(int size)
    {
        var bytes = Enumerable.Range(0, size).Select(i => (byte)i).ToArray();

        using var body = await RequestBodyReader.ReadAsync(Request(bytes, declareLength: false), limit: 10_000, CancellationToken.None);

        Assert.False(body.TooLarge);
        Assert.Equal(bytes, body.Memory.ToArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_beyond_the_limit_is_too_large_whether_declared_or_streamed(bool declareLength)
    {
        using var body = await RequestBodyReader.ReadAsync(Request(new byte[10_001], declareLength), limit: 10_000, CancellationToken.None);

        Assert.True(body.TooLarge);
        Assert.True(body.Memory.IsEmpty);
    }

    private static HttpRequest Request(byte[] bytes, bool declareLength)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = declareLength ? bytes.Length : null;
        return context.Request;
    }
}
