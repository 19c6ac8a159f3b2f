using System.Buffers;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using DaprOrders.Sidecar.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace DaprOrders.Sidecar.AppCallbacks;

/// <summary>
/// A structured CloudEvent delivered by daprd (<c>application/cloudevents+json</c>) with <see cref="Data"/> deserialized
/// as <typeparamref name="T"/> using the app's <see cref="HttpJsonOptions"/> (so source-generated contexts apply).
/// Use it as a minimal-API handler parameter on a <c>WithTopic</c> endpoint.
/// </summary>
public sealed record CloudEvent<T>
{
    public string Id { get; init; } = string.Empty;

    public string? Type { get; init; }

    public string? Source { get; init; }

    public string? SpecVersion { get; init; }

    public DateTimeOffset? Time { get; init; }

    public string? DataContentType { get; init; }

    public string? Subject { get; init; }

    /// <summary>Dapr extension: the topic the publisher used (unchanged for dead-lettered copies).</summary>
    public string? Topic { get; init; }

    /// <summary>Dapr extension: the pubsub component name.</summary>
    public string? PubsubName { get; init; }

    public string? TraceParent { get; init; }

    public string? TraceState { get; init; }

    public T? Data { get; init; }

    /// <summary>Every other attribute (e.g. <c>traceid</c>, <c>expiration</c>, custom extensions) as a JSON object.</summary>
    public JsonElement Extensions { get; init; }

    /// <summary>Minimal-API binding. A body that is not a CloudEvent JSON object throws <see cref="MalformedCloudEventException"/>,
    /// which <c>WithTopic</c> endpoints answer with DROP (it would never parse on retry).</summary>
    public static async ValueTask<CloudEvent<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        ArgumentNullException.ThrowIfNull(context);
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
        }
        catch (JsonException ex)
        {
            throw new MalformedCloudEventException("The request body is not valid JSON.", ex);
        }

        using (document)
        {
            var cloudEvent = CloudEventReader.Read<T>(document.RootElement, CloudEventReader.ResolveOptions(context));
            TopicDelivery.Describe(context, cloudEvent.Id, cloudEvent.Type, cloudEvent.Source, cloudEvent.TraceParent,
                cloudEvent.Extensions.TryGetProperty("traceid", out var traceId) && traceId.ValueKind == JsonValueKind.String ? traceId.GetString() : null);
            return cloudEvent;
        }
    }
}

/// <summary>The delivered body is not a CloudEvent this endpoint can ever read (bad JSON, wrong shape, data type mismatch).</summary>
public sealed class MalformedCloudEventException : Exception
{
    public MalformedCloudEventException()
    {
    }

    public MalformedCloudEventException(string message)
        : base(message)
    {
    }

    public MalformedCloudEventException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

internal static class CloudEventReader
{
    private static readonly HashSet<string> KnownAttributes = new(StringComparer.Ordinal)
    {
        "id", "type", "source", "specversion", "time", "datacontenttype", "subject", "topic", "pubsubname",
        "traceparent", "tracestate", "data", "data_base64",
    };

    // ASP.NET Core's defaults when the app configured no HttpJsonOptions (JsonSerializerOptions.Web is not trim-safe).
    private static readonly JsonSerializerOptions WebDefaults = new(JsonSerializerDefaults.Web);

    public static JsonSerializerOptions ResolveOptions(HttpContext context) =>
        context.RequestServices.GetService<IOptions<HttpJsonOptions>>()?.Value.SerializerOptions ?? WebDefaults;

    public static CloudEvent<T> Read<T>(JsonElement root, JsonSerializerOptions options)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new MalformedCloudEventException($"A structured CloudEvent must be a JSON object, not {root.ValueKind}.");
        }

        try
        {
            var dataContentType = String(root, "datacontenttype");
            return new CloudEvent<T>
            {
                Id = String(root, "id") ?? string.Empty,
                Type = String(root, "type"),
                Source = String(root, "source"),
                SpecVersion = String(root, "specversion"),
                Time = root.TryGetProperty("time", out var time) && time.ValueKind == JsonValueKind.String && time.TryGetDateTimeOffset(out var parsed)
                    ? parsed
                    : null,
                DataContentType = dataContentType,
                Subject = String(root, "subject"),
                Topic = String(root, "topic"),
                PubsubName = String(root, "pubsubname"),
                TraceParent = String(root, "traceparent"),
                TraceState = String(root, "tracestate"),
                Data = ReadData<T>(root, options),
                Extensions = CollectExtensions(root),
            };
        }
        catch (JsonException ex)
        {
            throw new MalformedCloudEventException($"The CloudEvent data cannot be read as {typeof(T).Name}: {ex.Message}", ex);
        }
        catch (FormatException ex)
        {
            throw new MalformedCloudEventException($"The CloudEvent data_base64 is not valid base64: {ex.Message}", ex);
        }
    }

    /// <summary>Builds a CloudEvent around raw bytes (rawPayload bulk entries arrive as a base64 string, not a CE).</summary>
    public static CloudEvent<T> FromBytes<T>(string id, byte[] bytes, string? contentType, JsonSerializerOptions options) =>
        new()
        {
            Id = id,
            DataContentType = contentType,
            Data = FromBytes<T>(bytes, options),
            Extensions = EmptyObject,
        };

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private static T? ReadData<T>(JsonElement root, JsonSerializerOptions options)
    {
        if (root.TryGetProperty("data_base64", out var base64) && base64.ValueKind == JsonValueKind.String)
        {
            return FromBytes<T>(base64.GetBytesFromBase64(), options);
        }

        if (!root.TryGetProperty("data", out var data) || data.ValueKind == JsonValueKind.Null)
        {
            return default;
        }

        if (typeof(T) == typeof(JsonElement))
        {
            return (T)(object)data.Clone();
        }

        var typeInfo = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
        // daprd stores non-"application/json" bodies as a JSON string (e.g. a publisher that sent JSON as text/plain);
        // for a non-string target the string's content is the JSON we want.
        if (data.ValueKind == JsonValueKind.String && typeof(T) != typeof(string))
        {
            return JsonSerializer.Deserialize(data.GetString()!, typeInfo);
        }

        return data.Deserialize(typeInfo);
    }

    private static T? FromBytes<T>(byte[] bytes, JsonSerializerOptions options)
    {
        if (typeof(T) == typeof(byte[]))
        {
            return (T)(object)bytes;
        }

        if (typeof(T) == typeof(ReadOnlyMemory<byte>))
        {
            return (T)(object)new ReadOnlyMemory<byte>(bytes);
        }

        if (typeof(T) == typeof(string))
        {
            return (T)(object)Encoding.UTF8.GetString(bytes);
        }

        return bytes.Length == 0 ? default : JsonSerializer.Deserialize(bytes, (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static JsonElement CollectExtensions(JsonElement root)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in root.EnumerateObject())
            {
                if (!KnownAttributes.Contains(property.Name))
                {
                    property.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
