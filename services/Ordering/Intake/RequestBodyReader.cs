using System.Buffers;

namespace DaprOrders.Ordering.Intake;

/// <summary>A request body read into a pooled buffer; dispose to return the buffer.</summary>
public sealed class PooledBody : IDisposable
{
    private byte[]? _buffer;

    internal PooledBody(byte[]? buffer, int length, bool tooLarge)
    {
        _buffer = buffer;
        Length = length;
        TooLarge = tooLarge;
    }

    public int Length { get; }

    /// <summary>The body exceeded the limit; nothing beyond the limit was read.</summary>
    public bool TooLarge { get; }

    public ReadOnlyMemory<byte> Memory => _buffer is null ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, Length);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>Reads request bodies up to a limit, refusing early when Content-Length already says too much.</summary>
public static class RequestBodyReader
{
    public static async Task<PooledBody> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > limit)
        {
            return new PooledBody(null, 0, tooLarge: true);
        }

        var initial = request.ContentLength is { } declared ? (int)declared + 1 : 4096;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Clamp(initial, 16, limit + 1));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    // Only reached while length <= limit, so the new size stays within limit + 1.
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return new PooledBody(null, 0, tooLarge: true);
                }
            }

            return new PooledBody(buffer, length, tooLarge: false);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
