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

/// <summary>The outcome of reading a request: the SDK's events (data as a <see cref="JsonElement"/>), or a media-type refusal, or attribute errors.</summary>
public sealed record CloudEventReadResult(
    CloudEventMode Mode,
    IReadOnlyList<CloudEvent> Events,
    CloudEventErrors Errors,
    bool UnsupportedMediaType)
{
    public bool IsValid => !UnsupportedMediaType && !Errors.HasErrors;
}

/// <summary>
/// The CloudEvents HTTP protocol binding of <c>POST /orders</c>. The CloudEvents SDK decodes and validates the events:
/// <see cref="JsonEventFormatter"/> in structured and batch mode, <see cref="CloudEvent"/>'s attribute rules for the
/// <c>ce-*</c> headers of binary mode (the SDK's ASP.NET Core adapter is not used). Ours: errors named by attribute
/// (<c>id</c>, <c>[2].type</c>, <c>ce-source</c>), data that must be JSON, and the depth, batch and name limits.
/// </summary>
public static class CloudEventHttpBinding
{
    public const string StructuredMediaType = "application/cloudevents+json";
    public const string BatchMediaType = "application/cloudevents-batch+json";
    public const int MaxBatchSize = 100;

    /// <summary>CloudEvents 1.0 advises extension names of at most 20 characters; the SDK checks only the characters.</summary>
    public const int MaxExtensionNameLength = 20;

    private const string DataMustBeJson = "Data must be JSON (application/json).";

    // Bounded so that a hostile body cannot make the parser recurse deeply; our payloads nest three levels.
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };
    private static readonly JsonEventFormatter Formatter = new(serializerOptions: null, DocumentOptions);

    private static readonly string[] RequiredAttributes =
        [CloudEventsSpecVersion.SpecVersionAttribute.Name, .. CloudEventsSpecVersion.V1_0.RequiredAttributes.Select(a => a.Name)];

    public static CloudEventReadResult Read(string? contentType, IEnumerable<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var mediaType = ParseMediaType(contentType);
        if (string.Equals(mediaType, StructuredMediaType, StringComparison.OrdinalIgnoreCase))
        {
            return ReadJson(CloudEventMode.Structured, body);
        }

        if (string.Equals(mediaType, BatchMediaType, StringComparison.OrdinalIgnoreCase))
        {
            return ReadJson(CloudEventMode.Batch, body);
        }

        var ceHeaders = headers
            .Where(h => h.Key.StartsWith("ce-", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(h => h.Key[3..].ToLowerInvariant(), h => Uri.UnescapeDataString(h.Value), StringComparer.Ordinal);
        return ceHeaders.TryGetValue(CloudEventsSpecVersion.SpecVersionAttribute.Name, out var specVersion)
            ? ReadBinary(contentType, mediaType, specVersion, ceHeaders, body)
            : new CloudEventReadResult(CloudEventMode.Structured, [], new CloudEventErrors(), UnsupportedMediaType: true);
    }

    /// <summary>Structured mode (one JSON event) and batch mode (a JSON array of 1-100 events).</summary>
    private static CloudEventReadResult ReadJson(CloudEventMode mode, ReadOnlyMemory<byte> body)
    {
        var errors = new CloudEventErrors();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException ex)
        {
            errors.Add("$", $"The body is not valid JSON: {ex.Message}");
            return new CloudEventReadResult(mode, [], errors, false);
        }

        using (document)
        {
            var root = document.RootElement;
            var events = new List<CloudEvent>();
            if (mode == CloudEventMode.Structured)
            {
                Add(Decode(root, prefix: "", errors));
            }
            else if (root.ValueKind != JsonValueKind.Array)
            {
                errors.Add("$", "A CloudEvents batch must be a JSON array of events.");
            }
            else if (root.GetArrayLength() is 0 or > MaxBatchSize)
            {
                errors.Add("$", $"A batch must hold between 1 and {MaxBatchSize} events.");
            }
            else
            {
                var index = 0;
                foreach (var element in root.EnumerateArray())
                {
                    Add(Decode(element, $"[{index++}].", errors));
                }
            }

            return new CloudEventReadResult(mode, errors.HasErrors ? [] : events, errors, false);

            void Add(CloudEvent? cloudEvent)
            {
                if (cloudEvent is not null)
                {
                    events.Add(cloudEvent);
                }
            }
        }
    }

    /// <summary>Binary mode: the context attributes travel in <c>ce-*</c> headers (percent-encoded), the data is the body.</summary>
    private static CloudEventReadResult ReadBinary(string? contentType, string? mediaType, string specVersionId,
        Dictionary<string, string> ceHeaders, ReadOnlyMemory<byte> body)
    {
        var errors = new CloudEventErrors();
        if (ceHeaders.ContainsKey("datacontenttype"))
        {
            errors.Add("ce-datacontenttype", "Binary mode carries the data content type in Content-Type, not in a ce- header.");
        }

        // The SDK parses a binary-mode body as JSON only for application/json.
        if (!string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            return new CloudEventReadResult(CloudEventMode.Binary, [], errors, UnsupportedMediaType: true);
        }

        if (CloudEventsSpecVersion.FromVersionId(specVersionId) is not { } specVersion)
        {
            errors.Add("ce-specversion", $"Unsupported specversion '{specVersionId}'; only 1.0 is accepted.");
            return new CloudEventReadResult(CloudEventMode.Binary, [], errors, false);
        }

        var cloudEvent = new CloudEvent(specVersion) { DataContentType = contentType };
        foreach (var (name, value) in ceHeaders.Where(h => h.Key is not ("specversion" or "datacontenttype")))
        {
            try
            {
                cloudEvent.SetAttributeFromString(name, value);
            }
            catch (ArgumentException ex)
            {
                errors.Add("ce-" + name, ex.Message);
            }
        }

        foreach (var missing in specVersion.RequiredAttributes.Where(a => cloudEvent[a] is null && !ceHeaders.ContainsKey(a.Name)))
        {
            errors.Add("ce-" + missing.Name, $"The required attribute '{missing.Name}' is missing.");
        }

        try
        {
            Formatter.DecodeBinaryModeEventData(body, cloudEvent);
            CheckOurRules(cloudEvent, attributePrefix: "ce-", dataField: "data", errors);
        }
        catch (JsonException ex)
        {
            errors.Add("data", $"The body is not valid JSON: {ex.Message}");
        }

        return new CloudEventReadResult(CloudEventMode.Binary, errors.HasErrors ? [] : [cloudEvent], errors, false);
    }

    /// <summary>One event of the JSON event format, or null with its errors added.</summary>
    private static CloudEvent? Decode(JsonElement element, string prefix, CloudEventErrors errors)
    {
        var eventField = prefix.Length > 0 ? prefix.TrimEnd('.') : "$";
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(eventField, "A CloudEvent must be a JSON object.");
            return null;
        }

        var before = errors.Count;
        try
        {
            var cloudEvent = Formatter.ConvertFromJsonElement(element, extensionAttributes: null);
            CheckOurRules(cloudEvent, prefix, prefix + "data", errors);
            return errors.Count == before ? cloudEvent : null;
        }
        catch (InvalidOperationException)
        {
            // JsonDocument does not validate the UTF-8 inside strings; decoding a name or value does, and throws.
            errors.Add(eventField, "The event contains text that is not valid UTF-8.");
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            NameRejectedAttributes(element, prefix, errors);
            if (errors.Count == before)
            {
                errors.Add(eventField, ex.Message);
            }
        }

        return null;
    }

    /// <summary>
    /// The SDK stops at the first attribute it rejects and names it only in prose. To report every wrong attribute by
    /// name, each one is decoded again on its own, in a minimal valid event.
    /// </summary>
    private static void NameRejectedAttributes(JsonElement element, string prefix, CloudEventErrors errors)
    {
        foreach (var name in RequiredAttributes.Where(n => !element.TryGetProperty(n, out var v) || v.ValueKind == JsonValueKind.Null))
        {
            errors.Add(prefix + name, $"The required attribute '{name}' is missing.");
        }

        foreach (var property in element.EnumerateObject())
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                foreach (var name in RequiredAttributes.Where(n => n != property.Name))
                {
                    writer.WriteString(name, name == CloudEventsSpecVersion.SpecVersionAttribute.Name ? "1.0" : "probe");
                }

                property.WriteTo(writer);
                writer.WriteEndObject();
            }

            try
            {
                Formatter.DecodeStructuredModeMessage(buffer.WrittenMemory, contentType: null, extensionAttributes: null);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException)
            {
                errors.Add(prefix + property.Name, ex.Message);
            }
        }

        // The SDK refuses non-string data under a non-JSON content type; for us any non-JSON data is the content type's fault.
        if (element.TryGetProperty("datacontenttype", out var dataContentType) && dataContentType.ValueKind == JsonValueKind.String
            && !IsJsonEventFormatData(ParseMediaType(dataContentType.GetString())))
        {
            errors.Add(prefix + "datacontenttype", DataMustBeJson);
        }
    }

    /// <summary>What the intake asks beyond the SDK: JSON data, and extension names no longer than the spec advises.</summary>
    private static void CheckOurRules(CloudEvent cloudEvent, string attributePrefix, string dataField, CloudEventErrors errors)
    {
        switch (cloudEvent.Data)
        {
            case JsonElement:
                break;
            case byte[]:
                errors.Add(attributePrefix + "data_base64", "Order events carry JSON data; binary data_base64 is not accepted.");
                errors.Add(dataField, "The event has no data.");
                break;
            case null:
                errors.Add(dataField, "The event has no data.");
                break;
            default:
                errors.Add(attributePrefix + "datacontenttype", DataMustBeJson);
                break;
        }

        foreach (var attribute in cloudEvent.ExtensionAttributes.Where(a => a.Name.Length > MaxExtensionNameLength))
        {
            errors.Add(attributePrefix + attribute.Name, $"Extension attribute names must be 1-{MaxExtensionNameLength} lower-case letters or digits.");
        }
    }

    // As the SDK's JsonEventFormatter decides which data it keeps as JSON.
    private static bool IsJsonEventFormatData(string? mediaType) =>
        mediaType is not null && (mediaType.EndsWith("/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    private static string? ParseMediaType(string? contentType) =>
        contentType is not null && MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed.MediaType : null;
}
