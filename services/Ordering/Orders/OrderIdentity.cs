using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DaprOrders.Contracts;

namespace DaprOrders.Ordering.Orders;

/// <summary>
/// Order ids and payload fingerprints. Both are pure functions of the submitted CloudEvent, so any instance of the
/// service, at any time, derives the same order for the same submission: the order key is the idempotency key.
/// </summary>
public static class OrderIdentity
{
    /// <summary>
    /// The order id for a CloudEvent: a UUID built from the first 16 bytes of SHA-256(<c>source + "\n" + id</c>), with
    /// the RFC 9562 version 8 ("custom") and variant bits set so it is a well-formed UUID. A URI-reference cannot hold
    /// a raw newline, so the separator keeps different (source, id) pairs apart.
    /// </summary>
    public static string DeriveOrderId(string source, string eventId)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(eventId);
        var byteCount = Encoding.UTF8.GetByteCount(source) + 1 + Encoding.UTF8.GetByteCount(eventId);
        var rented = ArrayPool<byte>.Shared.Rent(byteCount);
        try
        {
            var written = Encoding.UTF8.GetBytes(source, rented);
            rented[written++] = (byte)'\n';
            written += Encoding.UTF8.GetBytes(eventId, rented.AsSpan(written));

            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(rented.AsSpan(0, written), hash);
            var uuid = hash[..16];
            uuid[6] = (byte)((uuid[6] & 0x0F) | 0x80); // version 8
            uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80); // variant 10xx
            return new Guid(uuid, bigEndian: true).ToString("D");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>True for the lower-case hyphenated form <see cref="DeriveOrderId"/> produces (the only ids that can exist).</summary>
    public static bool IsOrderId([NotNullWhen(true)] string? value) =>
        value is { Length: 36 } && Guid.TryParseExact(value, "D", out _) && !value.Any(char.IsUpper);

    /// <summary>
    /// Fingerprint of what was ordered: SHA-256 over a canonical JSON form of the validated submission
    /// (<c>{"customerId","currency","lines":[{"sku","quantity","unitPrice"}]}</c>, fixed member order, no whitespace).
    /// Whitespace, member order and unknown members of the submitted JSON therefore do not change it; anything that
    /// changes the order (a value, or the order of lines) does. Format: <c>sha256:&lt;64 lower-case hex&gt;</c>.
    /// </summary>
    public static string HashPayload(string customerId, string currency, IReadOnlyList<OrderLine> lines)
    {
        ArgumentNullException.ThrowIfNull(customerId);
        ArgumentNullException.ThrowIfNull(currency);
        ArgumentNullException.ThrowIfNull(lines);
        var buffer = new ArrayBufferWriter<byte>(128 + (lines.Count * 64));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("customerId", customerId);
            writer.WriteString("currency", currency);
            writer.WriteStartArray("lines");
            foreach (var line in lines)
            {
                writer.WriteStartObject();
                writer.WriteString("sku", line.Sku);
                writer.WriteNumber("quantity", line.Quantity);
                writer.WriteNumber("unitPrice", line.UnitPrice);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer.WrittenSpan, hash);
        return "sha256:" + Convert.ToHexStringLower(hash);
    }

    /// <summary>Sum of quantity × unit price; validated submissions cannot overflow (see OrderSubmissionValidator).</summary>
    public static long Total(IReadOnlyList<OrderLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        long total = 0;
        foreach (var line in lines)
        {
            total = checked(total + (line.Quantity * line.UnitPrice));
        }

        return total;
    }
}
