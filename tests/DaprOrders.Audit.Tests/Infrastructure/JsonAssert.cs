using System.Text.Json;

namespace DaprOrders.Audit.Tests.Infrastructure;

public static class JsonAssert
{
    /// <summary>Compares JSON semantically: whitespace and property order are ignored.</summary>
    public static void Equal(string expectedJson, string actualJson) =>
        Assert.Equal(Normalize(JsonDocument.Parse(expectedJson).RootElement), Normalize(JsonDocument.Parse(actualJson).RootElement));

    private static string Normalize(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => JsonSerializer.Serialize(p.Name) + ":" + Normalize(p.Value))) + "}",
        JsonValueKind.Array => "[" + string.Join(",", element.EnumerateArray().Select(Normalize)) + "]",
        JsonValueKind.String => JsonSerializer.Serialize(element.GetString()),
        _ => element.GetRawText(),
    };
}
