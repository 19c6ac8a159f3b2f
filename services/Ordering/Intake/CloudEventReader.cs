using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace DaprOrders.Ordering.Intake;

/// <summary>A CloudEvent as received over HTTP, in any of the three modes, with its data still as JSON.</summary>
public sealed record IncomingCloudEvent(
    string Id,
    string Source,
    string Type,
    string SpecVersion,
    DateTimeOffset? Time,
    string? Subject,
    string? DataContentType,
    JsonElement Data,
    IReadOnlyDictionary<string, string> Extensions);

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

/// <summary>The outcome of reading a request: events, or a media-type refusal, or attribute errors.</summary>
public sealed record CloudEventReadResult(
    CloudEventMode Mode,
    IReadOnlyList<IncomingCloudEvent> Events,
    CloudEventErrors Errors,
    bool UnsupportedMediaType)
{
    public bool IsValid => !UnsupportedMediaType && !Errors.HasErrors;
}

/// <summary>
/// Reads CloudEvents 1.0 from HTTP requests per the HTTP protocol binding (structured, batch and binary modes) and the
/// JSON event format. Attribute rules follow the spec: required id/source/specversion/type, extension names of
/// lower-case letters and digits, RFC 3339 time. Data must be JSON because every DaprOrders event carries JSON.
/// </summary>
public static class CloudEventReader
{
    public const string StructuredMediaType = "application/cloudevents+json";
    public const string BatchMediaType = "application/cloudevents-batch+json";
    public const int MaxBatchSize = 100;

    // Bounded so that a hostile body cannot make the parser recurse deeply; our payloads nest three levels.
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };

    // Context attributes whose CloudEvents type is String (time is a Timestamp, also written as a JSON string).
    private static readonly HashSet<string> StringAttributes = new(StringComparer.Ordinal)
    {
        "specversion", "id", "source", "type", "datacontenttype", "dataschema", "subject", "time",
    };

    private static readonly HashSet<string> ContextAttributes = new(StringComparer.Ordinal)
    {
        "specversion", "id", "source", "type", "datacontenttype", "dataschema", "subject", "time", "data", "data_base64",
    };

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
        if (ceHeaders.ContainsKey("specversion"))
        {
            return ReadBinary(mediaType, ceHeaders, body);
        }

        return new CloudEventReadResult(CloudEventMode.Structured, [], new CloudEventErrors(), UnsupportedMediaType: true);
    }

    private static CloudEventReadResult ReadStructured(ReadOnlyMemory<byte> body)
    {
        var errors = new CloudEventErrors();
        using var document = TryParse(body, errors);
        if (document is null)
        {
            return new CloudEventReadResult(CloudEventMode.Structured, [], errors, false);
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            errors.Add("$", "A structured CloudEvent must be a JSON object.");
            return new CloudEventReadResult(CloudEventMode.Structured, [], errors, false);
        }

        var cloudEvent = ReadJsonEvent(document.RootElement, prefix: "", errors);
        return new CloudEventReadResult(CloudEventMode.Structured, cloudEvent is null ? [] : [cloudEvent], errors, false);
    }

    private static CloudEventReadResult ReadBatch(ReadOnlyMemory<byte> body)
    {
        var errors = new CloudEventErrors();
        using var document = TryParse(body, errors);
        if (document is null)
        {
            return new CloudEventReadResult(CloudEventMode.Batch, [], errors, false);
        }

        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            errors.Add("$", "A CloudEvents batch must be a JSON array of events.");
            return new CloudEventReadResult(CloudEventMode.Batch, [], errors, false);
        }

        var count = document.RootElement.GetArrayLength();
        if (count == 0 || count > MaxBatchSize)
        {
            errors.Add("$", $"A batch must hold between 1 and {MaxBatchSize} events.");
            return new CloudEventReadResult(CloudEventMode.Batch, [], errors, false);
        }

        var events = new List<IncomingCloudEvent>(count);
        var index = 0;
        foreach (var element in document.RootElement.EnumerateArray())
        {
            var prefix = $"[{index++}].";
            if (element.ValueKind != JsonValueKind.Object)
            {
                errors.Add(prefix.TrimEnd('.'), "Each batch entry must be a JSON object.");
                continue;
            }

            if (ReadJsonEvent(element, prefix, errors) is { } cloudEvent)
            {
                events.Add(cloudEvent);
            }
        }

        return new CloudEventReadResult(CloudEventMode.Batch, events, errors, false);
    }

    private static CloudEventReadResult ReadBinary(string? mediaType, Dictionary<string, string> ceHeaders, ReadOnlyMemory<byte> body)
    {
        var errors = new CloudEventErrors();
        var attributes = ceHeaders.ToDictionary(p => p.Key, p => Uri.UnescapeDataString(p.Value), StringComparer.Ordinal);
        if (attributes.ContainsKey("datacontenttype"))
        {
            // In binary mode Content-Type carries datacontenttype; a ce-datacontenttype header is not allowed.
            errors.Add("ce-datacontenttype", "Binary mode carries the data content type in Content-Type, not in a ce- header.");
        }

        if (mediaType is null || !IsJsonMediaType(mediaType))
        {
            return new CloudEventReadResult(CloudEventMode.Binary, [], errors, UnsupportedMediaType: true);
        }

        attributes["datacontenttype"] = mediaType;
        using var document = TryParse(body, errors, field: "data");
        if (document is null)
        {
            return new CloudEventReadResult(CloudEventMode.Binary, [], errors, false);
        }

        var cloudEvent = BuildEvent(attributes, document.RootElement.Clone(), prefix: "ce-", errors);
        return new CloudEventReadResult(CloudEventMode.Binary, cloudEvent is null ? [] : [cloudEvent], errors, false);
    }

    private static IncomingCloudEvent? ReadJsonEvent(JsonElement element, string prefix, CloudEventErrors errors)
    {
        var before = errors.Count;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonElement data = default;
        var hasData = false;
        try
        {
            foreach (var property in element.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "data":
                        data = property.Value.Clone();
                        hasData = true;
                        break;
                    case "data_base64":
                        errors.Add(prefix + "data_base64", "Order events carry JSON data; binary data_base64 is not accepted.");
                        break;
                    default:
                        if (property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                        {
                            errors.Add(prefix + property.Name, "Attribute values must be strings, numbers or booleans.");
                            continue;
                        }

                        // The JSON event format writes the spec's String attributes as JSON strings; only extensions
                        // may be numbers or booleans (a numeric specversion 1.0 is not the string "1.0").
                        if (StringAttributes.Contains(property.Name) && property.Value.ValueKind != JsonValueKind.String)
                        {
                            errors.Add(prefix + property.Name, $"The attribute '{property.Name}' must be a JSON string.");
                            continue;
                        }

                        attributes[property.Name] = property.Value.ValueKind == JsonValueKind.String
                            ? property.Value.GetString()!
                            : property.Value.GetRawText();
                        break;
                }
            }
        }
        catch (InvalidOperationException)
        {
            // JsonDocument does not validate the UTF-8 inside strings; decoding a name or value does, and throws.
            errors.Add(prefix.Length > 0 ? prefix.TrimEnd('.') : "$", "The event contains text that is not valid UTF-8.");
            return null;
        }

        if (attributes.TryGetValue("datacontenttype", out var dataContentType) && !IsJsonMediaType(ParseMediaType(dataContentType)))
        {
            errors.Add(prefix + "datacontenttype", "Data must be JSON (application/json).");
        }

        if (!hasData)
        {
            errors.Add(prefix + "data", "The event has no data.");
        }

        // Errors about data or attribute shapes found above also disqualify the event, not only BuildEvent's own.
        var cloudEvent = BuildEvent(attributes, data, prefix, errors);
        return errors.Count == before ? cloudEvent : null;
    }

    private static IncomingCloudEvent? BuildEvent(Dictionary<string, string> attributes, JsonElement data, string prefix, CloudEventErrors errors)
    {
        var before = errors.Count;
        var specVersion = Required(attributes, "specversion", prefix, errors);
        if (specVersion is not null && specVersion != "1.0")
        {
            errors.Add(prefix + "specversion", $"Unsupported specversion '{specVersion}'; only 1.0 is accepted.");
        }

        var id = Required(attributes, "id", prefix, errors);
        var source = Required(attributes, "source", prefix, errors);
        if (source is not null && !Uri.TryCreate(source, UriKind.RelativeOrAbsolute, out _))
        {
            errors.Add(prefix + "source", "source must be a URI-reference.");
        }

        var type = Required(attributes, "type", prefix, errors);
        DateTimeOffset? time = null;
        if (attributes.TryGetValue("time", out var timeText))
        {
            if (DateTimeOffset.TryParseExact(timeText, ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                time = parsed;
            }
            else
            {
                errors.Add(prefix + "time", "time must be an RFC 3339 timestamp.");
            }
        }

        var extensions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in attributes)
        {
            if (ContextAttributes.Contains(name))
            {
                continue;
            }

            if (!IsValidAttributeName(name))
            {
                errors.Add(prefix + name, "Extension attribute names must be 1-20 lower-case letters or digits.");
                continue;
            }

            extensions[name] = value;
        }

        if (errors.Count != before || id is null || source is null || type is null || specVersion is null)
        {
            return null;
        }

        attributes.TryGetValue("subject", out var subject);
        attributes.TryGetValue("datacontenttype", out var dataContentType);
        return new IncomingCloudEvent(id, source, type, specVersion, time, subject, dataContentType, data, extensions);
    }

    private static string? Required(Dictionary<string, string> attributes, string name, string prefix, CloudEventErrors errors)
    {
        if (attributes.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value))
        {
            return value;
        }

        errors.Add(prefix + name, $"The required attribute '{name}' is missing or empty.");
        return null;
    }

    // CloudEvents 1.0: attribute names consist of lower-case ASCII letters and digits; the spec advises at most 20.
    internal static bool IsValidAttributeName(string name) =>
        name.Length is > 0 and <= 20 && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9'));

    private static bool IsJsonMediaType(string? mediaType) =>
        mediaType is not null &&
        (string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase) ||
         mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    private static string? ParseMediaType(string? contentType) =>
        contentType is not null && MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed.MediaType : null;

    private static JsonDocument? TryParse(ReadOnlyMemory<byte> body, CloudEventErrors errors, string field = "$")
    {
        try
        {
            return JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException ex)
        {
            errors.Add(field, $"The body is not valid JSON: {ex.Message}");
            return null;
        }
    }
}
