using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace DaprOrders.Sidecar.AppCallbacks;

/// <summary>
/// A bulk delivery (<c>bulkSubscribe.enabled</c>): daprd POSTs <c>application/json</c> with <c>entries</c>. Answer
/// with <see cref="BulkTopicResponse"/>; an entry without a status is retried by daprd.
/// Dapr docs: developing-applications/building-blocks/pubsub/pubsub-bulk
/// </summary>
public sealed record BulkCloudEvents<T>
{
    public string? Id { get; init; }

    public string? Topic { get; init; }

    public string? PubsubName { get; init; }

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<BulkCloudEventEntry<T>> Entries { get; init; } = [];

    public static async ValueTask<BulkCloudEvents<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        ArgumentNullException.ThrowIfNull(context);
        BulkSubscribeMessageWire? message;
        try
        {
            message = await JsonSerializer.DeserializeAsync(context.Request.Body,
                SidecarJsonContext.Default.BulkSubscribeMessageWire, context.RequestAborted);
        }
        catch (JsonException ex)
        {
            throw new MalformedCloudEventException("The bulk delivery body is not valid JSON.", ex);
        }

        if (message is null)
        {
            throw new MalformedCloudEventException("The bulk delivery body is empty.");
        }

        var options = CloudEventReader.ResolveOptions(context);
        var entries = new List<BulkCloudEventEntry<T>>(message.Entries?.Count ?? 0);
        foreach (var entry in message.Entries ?? [])
        {
            entries.Add(ReadEntry<T>(entry, options));
        }

        return new BulkCloudEvents<T>
        {
            Id = message.Id,
            Topic = message.Topic,
            PubsubName = message.PubsubName,
            Metadata = message.Metadata ?? new Dictionary<string, string>(),
            Entries = entries,
        };
    }

    private static BulkCloudEventEntry<TData> ReadEntry<TData>(BulkSubscribeEntryWire entry, JsonSerializerOptions options)
    {
        var metadata = entry.Metadata ?? new Dictionary<string, string>();
        try
        {
            var cloudEvent = entry.Event.ValueKind == JsonValueKind.String
                // rawPayload subscriptions deliver each event as a base64 string instead of a CloudEvent.
                ? CloudEventReader.FromBytes<TData>(entry.EntryId, entry.Event.GetBytesFromBase64(), entry.ContentType, options)
                : CloudEventReader.Read<TData>(entry.Event, options);
            return new BulkCloudEventEntry<TData>(entry.EntryId, cloudEvent, entry.ContentType, metadata, Error: null);
        }
        catch (Exception ex) when (ex is MalformedCloudEventException or FormatException)
        {
            return new BulkCloudEventEntry<TData>(entry.EntryId, Event: null, entry.ContentType, metadata, ex.Message);
        }
    }
}

/// <summary>One bulk entry; <see cref="Event"/> is null (and <see cref="Error"/> set) when it could not be read.</summary>
public sealed record BulkCloudEventEntry<T>(
    string EntryId,
    CloudEvent<T>? Event,
    string? ContentType,
    IReadOnlyDictionary<string, string> Metadata,
    string? Error);

public sealed record BulkTopicEntryStatus(string EntryId, TopicStatus Status);

/// <summary>200 <c>{"statuses":[{"entryId","status"}]}</c> for a bulk delivery.</summary>
public sealed class BulkTopicResponse : IResult, IStatusCodeHttpResult
{
    public BulkTopicResponse(IReadOnlyList<BulkTopicEntryStatus> statuses)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        Statuses = statuses;
    }

    public IReadOnlyList<BulkTopicEntryStatus> Statuses { get; }

    int? IStatusCodeHttpResult.StatusCode => StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = "application/json";
        var wire = new BulkTopicResponseWire(Statuses.Select(s => new BulkTopicStatusWire(s.EntryId, TopicResponse.ToWire(s.Status))).ToList());
        return JsonSerializer.SerializeAsync(httpContext.Response.Body, wire, SidecarJsonContext.Default.BulkTopicResponseWire,
            httpContext.RequestAborted);
    }
}
