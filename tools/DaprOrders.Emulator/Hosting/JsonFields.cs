using System.Text.Json;
using System.Text.Json.Nodes;
using DaprOrders.Emulator.Actors;

namespace DaprOrders.Emulator.Hosting;

/// <summary>Go's encoding/json matches request field names case-insensitively; so does the emulator.</summary>
internal static class JsonFields
{
    public static JsonNode? Field(this JsonObject obj, string name)
    {
        if (obj.TryGetPropertyValue(name, out var exact))
        {
            return exact;
        }

        foreach (var (key, value) in obj)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    public static string? StringField(this JsonObject obj, string name) => obj.Field(name) switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.String => value.GetValue<string>(),
        var other => other.ToJsonString(),
    };

    // A JSON null reads as absent, as it does in a JsonObject.
    public static JsonElement? Field(this JsonElement obj, string name) =>
        GoJsonFields.Property(obj, name) is { ValueKind: not JsonValueKind.Null } value ? value : null;

    public static string? StringField(this JsonElement obj, string name) => obj.Field(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        { } other => other.GetRawText(),
    };

    public static Dictionary<string, string> StringMap(this JsonElement obj, string name)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (obj.Field(name) is { ValueKind: JsonValueKind.Object } entries)
        {
            foreach (var property in entries.EnumerateObject())
            {
                map[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.Null => string.Empty,
                    _ => property.Value.GetRawText(),
                };
            }
        }

        return map;
    }

    public static Dictionary<string, string> StringMap(this JsonObject obj, string name)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (obj.Field(name) is JsonObject entries)
        {
            foreach (var (key, value) in entries)
            {
                map[key] = value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString() ?? string.Empty;
            }
        }

        return map;
    }
}
