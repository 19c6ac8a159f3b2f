using System.Text.Json;

namespace DaprOrders.Emulator.Actors;

/// <summary>Go's encoding/json matches object field names case-insensitively; daprd's request bodies are read that way.</summary>
internal static class GoJsonFields
{
    public static JsonElement? Property(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    /// <summary>A string field; Go leaves the string empty when the field is missing or null.</summary>
    public static string String(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() ?? string.Empty : string.Empty;

    /// <summary>An optional member kept as raw JSON text, as daprd keeps reminder and timer data (null when absent or null).</summary>
    public static string? Raw(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } value ? value.GetRawText() : null;
}
