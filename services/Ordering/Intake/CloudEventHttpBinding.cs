using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;

namespace DaprOrders.Ordering.Intake;

/// <summary>What was wrong with a request, by attribute or field name, as problem details report it.</summary>
public sealed class CloudEventErrors
{
    private readonly Dictionary<string, List<string>> _byField = new(StringComparer.Ordinal);

    public bool HasErrors => _byField.Count > 0;

    /// <summary>Number of messages added so far (several per field possible).</summary>
    public int Count { get; private set; }

    public void Add(string field, string message)
    {
        Count++;
        if (!_byField.TryGetValue(field, out var messages))
        {
            _byField[field] = messages = [];
        }

        messages.Add(message);
    }

    public Dictionary<string, string[]> ToDictionary() =>
        _byField.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
}

/// <summary>How a request body was framed: the three modes of the CloudEvents HTTP protocol binding.</summary>
public enum CloudEventMode
{
    Structured,
    Batch,
    Binary,
}

/// <summary>
/// The outcome of reading a request: events (the SDK's <see cref="CloudEvent"/>, data as a <see cref="JsonElement"/>),
/// or a media-type refusal, or attribute errors.
/// </summary>
public sealed record CloudEventReadResult(
    CloudEventMode Mode,
    IReadOnlyList<CloudEvent> Events,
    CloudEventErrors Errors,
    bool UnsupportedMediaType)
{
    public bool IsValid => !UnsupportedMediaType && !Errors.HasErrors;
}

/// <summary>
/// The CloudEvents HTTP protocol binding of <c>POST /orders</c>. The CloudEvents SDK decodes and validates the events
/// (<see cref="JsonEventFormatter"/> for structured and batch mode, <see cref="CloudEvent"/>'s attribute rules for the
/// <c>ce-*</c> headers of binary mode; the SDK's ASP.NET Core adapter is not used). What is ours: errors named by
/// attribute, data that must be JSON, and the depth, batch and extension-name limits.
/// </summary>
public static class CloudEventHttpBinding
{
    public const string StructuredMediaType = "application/cloudevents+json";
    public const string BatchMediaType = "application/cloudevents-batch+json";
    public const int MaxBatchSize = 100;

    /// <summary>CloudEvents 1.0 advises extension names of at most 20 characters; the SDK checks only the characters.</summary>
    public const int MaxExtensionNameLength = 20;

    // Bounded so that a hostile body cannot make the parser recurse deeply; our payloads nest three levels.
    private static readonly JsonEventFormatter Formatter = new(serializerOptions: null, new JsonDocumentOptions { MaxDepth = 32 });

    private static readonly string[] RequiredAttributes =
        [CloudEventsSpecVersion.SpecVersionAttribute.Name, .. CloudEventsSpecVersion.V1_0.RequiredAttributes.Select(a => a.Name)];

    public static CloudEventReadResult Read(string? contentType, IEnumerable<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var mediaType = ParseMediaType(contentType);
        if (string.Equals(mediaType, StructuredMediaType, StringComparison.OrdinalIgnoreCase))
        {
            return ReadStructured(body);
        }

        if (string.Equals(mediaType, BatchMediaType, StringComparison.OrdinalIgnoreCase))
        {
            return ReadBatch(body);
        }

        var ceHeaders = headers
            .Where(h => h.Key.StartsWith("ce-", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(h => h.Key[3..].ToLowerInvariant(), h => h.Value, StringComparer.Ordinal);
        if (ceHeaders.ContainsKey(CloudEventsSpecVersion.SpecVersionAttribute.Name))
        {
            return ReadBinary(contentType!, mediaType, ceHeaders, body);
        }

        return new CloudEventReadResult(CloudEventMode.Structured, [], new CloudEventErrors(), UnsupportedMediaType: true);
    }

    private static CloudEventReadResult ReadStructured(ReadOnlyMemory<byte> body)
    {
        var errors = new CloudEventErrors();
        CloudEvent? cloudEvent = null;
        try
        {
            cloudEvent = Formatter.DecodeStructuredModeMessage(body, contentType: null, extensionAttributes: null);
        }
        catch (Exception ex) when (IsRejection(ex))
        {
            NameRejection(body, ex, errors, root => DescribeEvent(root, prefix: "", errors));
        }

        if (cloudEvent is not null)
        {
            CheckOurRules(cloudEvent, prefix: "", errors);
        }

        return new CloudEventReadResult(CloudEventMode.Structured, errors.HasErrors ? [] : [cloudEvent!], errors, false);
    }

    private static CloudEventReadResult ReadBatch(ReadOnlyMemory<byte> body)
    {
        var errors = new CloudEventErrors();
        IReadOnlyList<CloudEvent> events = [];
        try
        {
            events = Formatter.DecodeBatchModeMessage(body, contentType: null, extensionAttributes: null);
        }
        catch (Exception ex) when (IsRejection(ex))
        {
            NameRejection(body, ex, errors, root =>
            {
                if (root.ValueKind != JsonValueKind.Array)
                {
                    errors.Add("$", "A CloudEvents batch must be a JSON array of events.");
                    return;
                }

                if (CheckBatchSize(root.GetArrayLength(), errors))
                {
                    var index = 0;
                    foreach (var element in root.EnumerateArray())
                    {
                        DescribeEvent(element, $"[{index++}].", errors);
                    }
                }
            });
            return new CloudEventReadResult(CloudEventMode.Batch, [], errors, false);
        }

        if (CheckBatchSize(events.Count, errors))
        {
            for (var i = 0; i < events.Count; i++)
            {
                CheckOurRules(events[i], $"[{i}].", errors);
            }
        }

        return new CloudEventReadResult(CloudEventMode.Batch, errors.HasErrors ? [] : events, errors, false);
    }

    /// <summary>Binary mode: the context attributes travel in <c>ce-*</c> headers (percent-encoded), the data is the body.</summary>
    private static CloudEventReadResult ReadBinary(string contentType, string? mediaType, Dictionary<string, string> ceHeaders, ReadOnlyMemory<byte> body)
    {
        var errors = new CloudEventErrors();
        if (ceHeaders.ContainsKey("datacontenttype"))
        {
            // In binary mode Content-Type carries datacontenttype; a ce-datacontenttype header is not allowed.
            errors.Add("ce-datacontenttype", "Binary mode carries the data content type in Content-Type, not in a ce- header.");
        }

        if (!IsJsonMediaType(mediaType))
        {
            return new CloudEventReadResult(CloudEventMode.Binary, [], errors, UnsupportedMediaType: true);
        }

        var specVersion = CloudEventsSpecVersion.FromVersionId(Uri.UnescapeDataString(ceHeaders[CloudEventsSpecVersion.SpecVersionAttribute.Name]));
        if (specVersion is null)
        {
            errors.Add("ce-specversion", "Unsupported specversion; only 1.0 is accepted.");
            return new CloudEventReadResult(CloudEventMode.Binary, [], errors, false);
        }

        var cloudEvent = new CloudEvent(specVersion) { DataContentType = contentType };
        foreach (var (name, value) in ceHeaders)
        {
            if (name is "specversion" or "datacontenttype")
            {
                continue;
            }

            try
            {
                cloudEvent.SetAttributeFromString(name, Uri.UnescapeDataString(value));
            }
            catch (ArgumentException ex)
            {
                errors.Add("ce-" + name, ex.Message);
            }
        }

        try
        {
            Formatter.DecodeBinaryModeEventData(body, cloudEvent);
        }
        catch (JsonException ex)
        {
            errors.Add("data", $"The body is not valid JSON: {ex.Message}");
        }

        foreach (var attribute in specVersion.RequiredAttributes.Where(a => cloudEvent[a] is null && !ceHeaders.ContainsKey(a.Name)))
        {
            errors.Add("ce-" + attribute.Name, $"The required attribute '{attribute.Name}' is missing or empty.");
        }

        if (!errors.HasErrors)
        {
            CheckOurRules(cloudEvent, prefix: "ce-", errors);
        }

        return new CloudEventReadResult(CloudEventMode.Binary, errors.HasErrors ? [] : [cloudEvent], errors, false);
    }

    /// <summary>What the intake asks beyond the SDK: JSON data, and extension names no longer than the spec advises.</summary>
    private static void CheckOurRules(CloudEvent cloudEvent, string prefix, CloudEventErrors errors)
    {
        switch (cloudEvent.Data)
        {
            case JsonElement:
                break;
            case null:
                errors.Add(prefix == "ce-" ? "data" : prefix + "data", "The event has no data.");
                break;
            case byte[]:
                errors.Add(prefix + "data_base64", "Order events carry JSON data; binary data_base64 is not accepted.");
                errors.Add(prefix + "data", "The event has no data.");
                break;
            default:
                errors.Add(prefix + "datacontenttype", "Data must be JSON (application/json).");
                break;
        }

        foreach (var attribute in cloudEvent.ExtensionAttributes.Where(a => a.Name.Length > MaxExtensionNameLength))
        {
            errors.Add(prefix + attribute.Name, $"Extension attribute names must be 1-{MaxExtensionNameLength} lower-case letters or digits.");
        }
    }

    private static bool CheckBatchSize(int count, CloudEventErrors errors)
    {
        if (count is > 0 and <= MaxBatchSize)
        {
            return true;
        }

        errors.Add("$", $"A batch must hold between 1 and {MaxBatchSize} events.");
        return false;
    }

    /// <summary>
    /// The SDK stops at the first attribute it rejects and names it only in prose. To report every wrong attribute by
    /// name, the body is parsed again and each attribute is decoded on its own by the same formatter.
    /// </summary>
    private static void NameRejection(ReadOnlyMemory<byte> body, Exception rejection, CloudEventErrors errors, Action<JsonElement> describe)
    {
        if (rejection is JsonException)
        {
            errors.Add("$", $"The body is not valid JSON: {rejection.Message}");
            return;
        }

        using var document = JsonDocument.Parse(body);
        describe(document.RootElement);
    }

    private static void DescribeEvent(JsonElement element, string prefix, CloudEventErrors errors)
    {
        var eventField = prefix.Length > 0 ? prefix.TrimEnd('.') : "$";
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(eventField, "A CloudEvent must be a JSON object.");
            return;
        }

        try
        {
            // In a batch, the events the SDK did not get to may be valid as far as it is concerned.
            CheckOurRules(Formatter.ConvertFromJsonElement(element, extensionAttributes: null), prefix, errors);
            return;
        }
        catch (InvalidOperationException)
        {
            // JsonDocument does not validate the UTF-8 inside strings; decoding a name or value does, and throws.
            errors.Add(eventField, "The event contains text that is not valid UTF-8.");
            return;
        }
        catch (Exception ex) when (IsRejection(ex))
        {
            var before = errors.Count;
            foreach (var name in RequiredAttributes)
            {
                if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
                {
                    errors.Add(prefix + name, $"The required attribute '{name}' is missing or empty.");
                }
            }

            foreach (var property in element.EnumerateObject())
            {
                if (DecodeAlone(property) is { } message)
                {
                    errors.Add(prefix + property.Name, message);
                }
            }

            if (errors.Count == before)
            {
                errors.Add(eventField, ex.Message);
            }
        }
    }

    /// <summary>The SDK's verdict on one attribute: a minimal valid event with only that attribute set or replaced.</summary>
    private static string? DecodeAlone(JsonProperty property)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var name in RequiredAttributes.Where(name => name != property.Name))
            {
                writer.WriteString(name, name == "specversion" ? "1.0" : "probe");
            }

            property.WriteTo(writer);
            writer.WriteEndObject();
        }

        try
        {
            var alone = Formatter.DecodeStructuredModeMessage(buffer.WrittenMemory, contentType: null, extensionAttributes: null);
            return property.Name == "data" && alone.Data is null ? "The event has no data." : null;
        }
        catch (Exception ex) when (IsRejection(ex))
        {
            return ex.Message;
        }
    }

    // The SDK reports a request it cannot accept with ArgumentException (attributes), FormatException (a number where
    // an integer is expected), JsonException (not JSON) and InvalidOperationException (invalid UTF-8 in a string).
    private static bool IsRejection(Exception ex) =>
        ex is ArgumentException or FormatException or JsonException or InvalidOperationException;

    private static bool IsJsonMediaType(string? mediaType) =>
        string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase);

    private static string? ParseMediaType(string? contentType) =>
        contentType is not null && MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed.MediaType : null;
}
