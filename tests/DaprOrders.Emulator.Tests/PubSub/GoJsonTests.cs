using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DaprOrders.Emulator.PubSub;

namespace DaprOrders.Emulator.Tests.PubSub;

// Go's encoding/json (json.Marshal of a map[string]any, as daprd re-marshals state values and CloudEvents): sorted
// keys, no whitespace, HTML-safe escaping, numbers kept as decoded with UseNumber, invalid UTF-16 as U+FFFD.
public sealed class GoJsonTests
{
    [Fact]
    public void Object_keys_are_sorted_at_every_level_and_whitespace_is_dropped()
    {
        var node = JsonNode.Parse("""{ "b": 1, "a": { "z": [ 3, { "y": true, "x": null } ], "c": false }, "B": "upper" }""");

        Assert.Equal("""{"B":"upper","a":{"c":false,"z":[3,{"x":null,"y":true}]},"b":1}""", GoJson.SerializeToString(node));
    }

    [Fact]
    public void Numbers_keep_the_text_they_were_written_with()
    {
        var node = JsonNode.Parse("""{"price":9.50,"big":12345678901234567890,"exp":1E+3,"neg":-0.0}""");

        Assert.Equal("""{"big":12345678901234567890,"exp":1E+3,"neg":-0.0,"price":9.50}""", GoJson.SerializeToString(node));
    }

    [Fact]
    public void Values_built_in_code_are_written_like_parsed_ones()
    {
        var node = new JsonObject { ["n"] = 42, ["d"] = 1.5, ["s"] = "x", ["t"] = true, ["f"] = false, ["a"] = new JsonArray(1, "two") };

        Assert.Equal("""{"a":[1,"two"],"d":1.5,"f":false,"n":42,"s":"x","t":true}""", GoJson.SerializeToString(node));
    }

    [Fact]
    public void Strings_escape_html_characters_line_separators_and_controls_like_go()
    {
        var node = new JsonObject { ["s"] = "a<b>&\"q\"\\ \n\r\t\b\f\u0001\u001f\u2028\u2029 é 😀" };

        Assert.Equal("{\"s\":\"a\\u003cb\\u003e\\u0026\\\"q\\\"\\\\ \\n\\r\\t\\u0008\\u000c\\u0001\\u001f\\u2028\\u2029 é 😀\"}",
            GoJson.SerializeToString(node));
    }

    [Fact]
    public void Parsed_strings_are_rewritten_when_their_source_escapes_differ_from_go()
    {
        // \u00e9 and \/ are unescaped by Go; raw < and U+2028 are escaped; plain text is copied.
        var node = JsonNode.Parse("{\"a\":\"caf\\u00e9 \\/ x\",\"b\":\"<tag>\",\"c\":\"line\u2028sep\",\"d\":\"plain é\"}");

        Assert.Equal("{\"a\":\"café / x\",\"b\":\"\\u003ctag\\u003e\",\"c\":\"line\\u2028sep\",\"d\":\"plain é\"}",
            GoJson.SerializeToString(node));
    }

    [Fact]
    public void Non_ascii_text_is_written_as_utf8_and_a_lone_surrogate_as_the_replacement_character()
    {
        var bytes = GoJson.Serialize(JsonValue.Create("é\ud800x"));

        Assert.Equal([(byte)'"', 0xC3, 0xA9, 0xEF, 0xBF, 0xBD, (byte)'x', (byte)'"'], bytes);
    }

    [Fact]
    public void Null_and_scalars_at_the_top_level()
    {
        Assert.Equal("null", GoJson.SerializeToString(null));
        Assert.Equal("\"text\"", GoJson.SerializeToString(JsonValue.Create("text")));
        Assert.Equal("7", GoJson.SerializeToString(JsonNode.Parse("7")));
        Assert.Equal("[]", GoJson.SerializeToString(new JsonArray()));
        Assert.Equal("{}", GoJson.SerializeToString(new JsonObject()));
    }

    [Fact]
    public void A_document_larger_than_the_reused_buffer_and_the_next_small_one_are_both_whole()
    {
        var large = new JsonObject();
        for (var i = 0; i < 5_000; i++)
        {
            large[$"k{i:D5}"] = new string('v', 300);
        }

        var text = GoJson.SerializeToString(large);
        var small = GoJson.SerializeToString(new JsonObject { ["only"] = 1 });

        Assert.StartsWith("{\"k00000\":\"vvv", text, StringComparison.Ordinal);
        Assert.EndsWith("\"k04999\":\"" + new string('v', 300) + "\"}", text, StringComparison.Ordinal);
        Assert.Equal(5_000 * (9 + 302 + 1) + 1, Encoding.UTF8.GetByteCount(text));
        Assert.Equal("{\"only\":1}", small);
    }

    [Theory]
    [InlineData("""{ "b": 1, "a": { "z": [ 3, { "y": true, "x": null } ], "c": false }, "B": "upper" }""")]
    [InlineData("""{"price":9.50,"big":12345678901234567890,"exp":1E+3,"neg":-0.0}""")]
    [InlineData("{\"a\":\"caf\\u00e9 \\/ x\",\"b\":\"<tag>\",\"c\":\"line\u2028sep\",\"d\":\"plain é\"}")]
    [InlineData("""[1, "two", null, true, false, {}, []]""")]
    [InlineData("\"text\"")]
    [InlineData("null")]
    public void A_parsed_document_is_written_like_the_same_json_as_nodes(string json)
    {
        using var document = JsonDocument.Parse(json);

        Assert.Equal(GoJson.SerializeToString(JsonNode.Parse(json)), Encoding.UTF8.GetString(GoJson.Serialize(document.RootElement)));
    }

    [Fact]
    public void Escaped_member_names_of_a_document_are_decoded_sorted_and_escaped_as_go_does()
    {
        using var document = JsonDocument.Parse("{\"\\u0062\":1,\"a<\":2,\"c\":3}");

        Assert.Equal("{\"a\\u003c\":2,\"b\":1,\"c\":3}", Encoding.UTF8.GetString(GoJson.Serialize(document.RootElement)));
    }

    [Fact]
    public void Of_duplicate_member_names_in_a_document_the_last_wins_as_in_a_go_map()
    {
        using var document = JsonDocument.Parse("""{"k":1,"a":0,"k":2}""");

        Assert.Equal("""{"a":0,"k":2}""", Encoding.UTF8.GetString(GoJson.Serialize(document.RootElement)));
    }
}
