using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DaprOrders.Emulator.PubSub;

/// <summary>
/// Serializes JSON the way Go's encoding/json emits daprd's maps: object keys sorted (byte order), &lt; &gt; &amp;
/// escaped as \u003c \u003e \u0026, no whitespace, numbers kept as written (daprd decodes CloudEvent data with UseNumber).
/// </summary>
public static class GoJson
{
    public static byte[] Serialize(JsonNode? node) => Encoding.UTF8.GetBytes(SerializeToString(node));

    public static string SerializeToString(JsonNode? node)
    {
        var text = new StringBuilder();
        Write(text, node);
        return text.ToString();
    }

    private static void Write(StringBuilder text, JsonNode? node)
    {
        switch (node)
        {
            case null:
                text.Append("null");
                break;
            case JsonObject obj:
                text.Append('{');
                var first = true;
                foreach (var (key, member) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        text.Append(',');
                    }

                    first = false;
                    Quote(text, key);
                    text.Append(':');
                    Write(text, member);
                }

                text.Append('}');
                break;
            case JsonArray array:
                text.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        text.Append(',');
                    }

                    Write(text, array[i]);
                }

                text.Append(']');
                break;
            default:
                var value = (JsonValue)node;
                switch (value.GetValueKind())
                {
                    case JsonValueKind.String:
                        Quote(text, value.GetValue<string>());
                        break;
                    default:
                        // Numbers keep their original text ("9.50" stays "9.50"); true/false/null as is.
                        text.Append(value.ToJsonString());
                        break;
                }

                break;
        }
    }

    private static void Quote(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                case '\r':
                    text.Append("\\r");
                    break;
                case '\t':
                    text.Append("\\t");
                    break;
                case '<' or '>' or '&' or '\u2028' or '\u2029':
                case < ' ':
                    text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }

        text.Append('"');
    }
}
