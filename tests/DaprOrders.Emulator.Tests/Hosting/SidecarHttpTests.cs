using System.Text;
using DaprOrders.Emulator.Hosting;
using Microsoft.AspNetCore.Http;

namespace DaprOrders.Emulator.Tests.Hosting;

public sealed class SidecarHttpTests
{
    [Theory]
    [InlineData(true, 10)]
    [InlineData(false, 10)]
    [InlineData(true, 3 * 1024 * 1024)]
    public async Task A_request_body_is_read_whole_with_or_without_a_content_length(bool withLength, int size)
    {
        var payload = Encoding.ASCII.GetBytes(new string('x', size - 2).Insert(0, "{").Insert(size - 1, "}"));
        var context = new DefaultHttpContext();
        // A stream that hands out at most 7 bytes per read, as a socket may.
        context.Request.Body = new TrickleStream(payload);
        context.Request.ContentLength = withLength ? payload.Length : null;

        var body = await SidecarHttp.ReadBodyAsync(context.Request);

        Assert.Equal(payload, body);
    }

    [Fact]
    public async Task A_body_shorter_than_its_content_length_is_an_error_not_a_padded_array()
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream("{}"u8.ToArray());
        context.Request.ContentLength = 10;

        await Assert.ThrowsAsync<EndOfStreamException>(() => SidecarHttp.ReadBodyAsync(context.Request));
    }

    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(7, buffer.Length)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(7, count), cancellationToken);
    }
}
