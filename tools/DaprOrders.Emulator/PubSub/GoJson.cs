using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DaprOrders.Emulator.PubSub;

/// <summary>
/// Serializes JSON the way Go's encoding/json emits daprd's maps: object keys sorted (byte order), &lt; &gt; &amp;
/// escaped as \u003c \u003e \u0026, no whitespace, numbers kept as written (daprd decodes CloudEvent data with UseNumber).
/// </summary>
/// <remarks>
/// Every state write, outbox event and delivery goes through here, so it writes UTF-8 straight into a reused
/// per-thread buffer instead of building a string first.
/// </remarks>
public static class GoJson
{
    // Characters Go's encoder (with HTML escaping, as json.Marshal does) does not copy verbatim into a string.
    private static readonly SearchValues<char> NeedsEscape = SearchValues.Create(
        "\"\\<>&\u2028\u2029\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f");

    // In a parsed string's raw UTF-8: escapes (Go may write them differently), HTML characters, and 0xE2, the lead
    // byte of U+2028/U+2029. Raw control characters cannot occur in valid JSON.
    private static readonly SearchValues<byte> RawNeedsRewrite = SearchValues.Create([(byte)'\\', (byte)'<', (byte)'>', (byte)'&', (byte)0xE2]);

    private static readonly Comparison<KeyValuePair<string, JsonNode?>> ByKey = static (a, b) => string.CompareOrdinal(a.Key, b.Key);

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    // A buffer grown past this by one large document is not kept for the thread.
    private const int KeptBufferBytes = 1024 * 1024;

    public static byte[] Serialize(JsonNode? node)
    {
        var buffer = RentBuffer();
        Write(buffer, node);
        var bytes = buffer.WrittenSpan.ToArray();
        ReturnBuffer(buffer);
        return bytes;
    }

    /// <summary>The same output from a parsed document, which costs a fraction of a <see cref="JsonNode"/> tree to build.</summary>
    public static byte[] Serialize(JsonElement element)
    {
        var buffer = RentBuffer();
        Write(buffer, element);
        var bytes = buffer.WrittenSpan.ToArray();
        ReturnBuffer(buffer);
        return bytes;
    }

    public static string SerializeToString(JsonNode? node)
    {
        var buffer = RentBuffer();
        Write(buffer, node);
        var text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        ReturnBuffer(buffer);
        return text;
    }

    private static ArrayBufferWriter<byte> RentBuffer()
    {
        var buffer = t_buffer ?? new ArrayBufferWriter<byte>(4096);
        t_buffer = null;
        buffer.ResetWrittenCount();
        return buffer;
    }

    private static void ReturnBuffer(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity <= KeptBufferBytes)
        {
            t_buffer = buffer;
        }
    }

    private static void Write(ArrayBufferWriter<byte> output, JsonNode? node)
    {
        switch (node)
        {
            case null:
                Append(output, "null"u8);
                break;
            case JsonObject obj:
                WriteObject(output, obj);
                break;
            case JsonArray array:
                Append(output, '[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        Append(output, ',');
                    }

                    Write(output, array[i]);
                }

                Append(output, ']');
                break;
            default:
                WriteValue(output, (JsonValue)node);
                break;
        }
    }

    private static void Write(ArrayBufferWriter<byte> output, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(output, element);
                break;
            case JsonValueKind.Array:
                Append(output, '[');
                var first = true;
                foreach (var item in element.EnumerateArray())
                {
                    if (!first)
                    {
                        Append(output, ',');
                    }

                    first = false;
                    Write(output, item);
                }

                Append(output, ']');
                break;
            case JsonValueKind.String:
                var raw = JsonMarshal.GetRawUtf8Value(element);
                if (raw.IndexOfAny(RawNeedsRewrite) < 0)
                {
                    Append(output, raw);
                }
                else
                {
                    Quote(output, element.GetString()!);
                }

                break;
            default:
                // Numbers keep their original text; true, false and null are written as they are.
                Append(output, JsonMarshal.GetRawUtf8Value(element));
                break;
        }
    }

    private static void WriteObject(ArrayBufferWriter<byte> output, JsonElement obj)
    {
        var count = 0;
        foreach (var _ in obj.EnumerateObject())
        {
            count++;
        }

        var members = ArrayPool<ObjectMember>.Shared.Rent(count);
        try
        {
            var index = 0;
            foreach (var property in obj.EnumerateObject())
            {
                // A name with escapes or HTML characters is compared and written in its decoded form.
                var rawName = JsonMarshal.GetRawUtf8PropertyName(property);
                members[index] = new ObjectMember(property, index, rawName.IndexOfAny(RawNeedsRewrite) < 0 ? null : Encoding.UTF8.GetBytes(property.Name));
                index++;
            }

            // Go decodes into a map (the last of duplicate names wins) and writes its keys in byte order.
            var sorted = members.AsSpan(0, count);
            sorted.Sort(static (a, b) => a.NameUtf8.SequenceCompareTo(b.NameUtf8) is var byName and not 0 ? byName : a.Index.CompareTo(b.Index));
            Append(output, '{');
            var written = false;
            for (var i = 0; i < sorted.Length; i++)
            {
                if (i + 1 < sorted.Length && sorted[i].NameUtf8.SequenceEqual(sorted[i + 1].NameUtf8))
                {
                    continue;
                }

                if (written)
                {
                    Append(output, ',');
                }

                written = true;
                if (sorted[i].DecodedName is null)
                {
                    Append(output, '"');
                    Append(output, JsonMarshal.GetRawUtf8PropertyName(sorted[i].Property));
                    Append(output, '"');
                }
                else
                {
                    Quote(output, sorted[i].Property.Name);
                }

                Append(output, ':');
                Write(output, sorted[i].Property.Value);
            }

            Append(output, '}');
        }
        finally
        {
            ArrayPool<ObjectMember>.Shared.Return(members, clearArray: true);
        }
    }

    private readonly record struct ObjectMember(JsonProperty Property, int Index, byte[]? DecodedName)
    {
        public ReadOnlySpan<byte> NameUtf8 => DecodedName ?? JsonMarshal.GetRawUtf8PropertyName(Property);
    }

    private static void WriteObject(ArrayBufferWriter<byte> output, JsonObject obj)
    {
        var members = new KeyValuePair<string, JsonNode?>[obj.Count];
        ((ICollection<KeyValuePair<string, JsonNode?>>)obj).CopyTo(members, 0);
        Array.Sort(members, ByKey);
        Append(output, '{');
        for (var i = 0; i < members.Length; i++)
        {
            if (i > 0)
            {
                Append(output, ',');
            }

            Quote(output, members[i].Key);
            Append(output, ':');
            Write(output, members[i].Value);
        }

        Append(output, '}');
    }

    private static void WriteValue(ArrayBufferWriter<byte> output, JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                // A parsed string without escapes or HTML characters is already written as Go would write it.
                if (value.TryGetValue<JsonElement>(out var text) && JsonMarshal.GetRawUtf8Value(text) is var raw
                    && raw.IndexOfAny(RawNeedsRewrite) < 0)
                {
                    Append(output, raw);
                }
                else
                {
                    Quote(output, value.GetValue<string>());
                }

                break;
            case JsonValueKind.True:
                Append(output, "true"u8);
                break;
            case JsonValueKind.False:
                Append(output, "false"u8);
                break;
            case JsonValueKind.Null:
                Append(output, "null"u8);
                break;
            default:
                // Numbers keep their original text ("9.50" stays "9.50"): parsed values hand out their raw bytes.
                if (value.TryGetValue<JsonElement>(out var element))
                {
                    Append(output, JsonMarshal.GetRawUtf8Value(element));
                }
                else
                {
                    AppendUtf8(output, value.ToJsonString());
                }

                break;
        }
    }

    private static void Quote(ArrayBufferWriter<byte> output, string value)
    {
        Append(output, '"');
        var rest = value.AsSpan();
        while (!rest.IsEmpty)
        {
            var next = rest.IndexOfAny(NeedsEscape);
            if (next < 0)
            {
                AppendUtf8(output, rest);
                break;
            }

            // Escaped characters are never surrogates, so a run never splits a surrogate pair.
            AppendUtf8(output, rest[..next]);
            AppendEscaped(output, rest[next]);
            rest = rest[(next + 1)..];
        }

        Append(output, '"');
    }

    private static void AppendEscaped(ArrayBufferWriter<byte> output, char c)
    {
        ReadOnlySpan<byte> shortForm = c switch
        {
            '"' => "\\\""u8,
            '\\' => "\\\\"u8,
            '\n' => "\\n"u8,
            '\r' => "\\r"u8,
            '\t' => "\\t"u8,
            _ => default,
        };
        if (!shortForm.IsEmpty)
        {
            output.Write(shortForm);
            return;
        }

        // Everything else as \u plus four lower-case hex digits, as Go writes it.
        var span = output.GetSpan(6);
        "\\u"u8.CopyTo(span);
        ((int)c).TryFormat(span[2..6], out _, "x4", CultureInfo.InvariantCulture);
        output.Advance(6);
    }

    private static void Append(ArrayBufferWriter<byte> output, char ascii)
    {
        output.GetSpan(1)[0] = (byte)ascii;
        output.Advance(1);
    }

    private static void Append(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> bytes) => output.Write(bytes);

    // Lone surrogates become U+FFFD, as Go writes invalid UTF-8 in strings.
    private static void AppendUtf8(ArrayBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return;
        }

        var written = Encoding.UTF8.GetBytes(text, output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length)));
        output.Advance(written);
    }
}
