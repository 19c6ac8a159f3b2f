using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using DaprOrders.Sidecar.Telemetry;

namespace DaprOrders.Sidecar;

public sealed partial class DaprSidecarClient
{
    /// <summary>
    /// <c>POST /v1.0/publish/{pubsub}/{topic}</c> with <c>Content-Type: application/json</c>; daprd wraps the body in a
    /// CloudEvent whose <c>data</c> is the JSON value. Dapr docs: reference/api/pubsub_api#publish-a-message-to-a-given-topic
    /// </summary>
    public async Task PublishEventAsync<T>(string pubsubName, string topic, T data, JsonTypeInfo<T> typeInfo,
        PublishOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        var body = JsonSerializer.SerializeToUtf8Bytes(data, typeInfo);
        await PublishCoreAsync(pubsubName, topic, Body(body, JsonMediaType), PublishQuery(options), options, cancellationToken);
    }

    /// <summary>Publishes bytes with an explicit content type (e.g. <c>text/plain</c>, <c>application/octet-stream</c>).</summary>
    public async Task PublishEventAsync(string pubsubName, string topic, ReadOnlyMemory<byte> data, string contentType,
        PublishOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        var content = new ReadOnlyMemoryContent(data);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        await PublishCoreAsync(pubsubName, topic, content, PublishQuery(options), options, cancellationToken);
    }

    /// <summary>
    /// Publishes an app-built structured CloudEvent (<c>application/cloudevents+json</c>). daprd passes it through:
    /// it overwrites <c>topic</c>/<c>pubsubname</c>, fills only missing <c>time</c>/<c>source</c>/<c>type</c>/<c>specversion</c>/trace
    /// fields, never adds <c>id</c> and ignores <c>metadata.cloudevent.*</c>.
    /// Dapr docs: developing-applications/building-blocks/pubsub/pubsub-cloudevents
    /// </summary>
    public async Task PublishCloudEventAsync(string pubsubName, string topic, ReadOnlyMemory<byte> cloudEvent,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        var content = new ReadOnlyMemoryContent(cloudEvent);
        content.Headers.ContentType = CloudEventsMediaType;
        await PublishCoreAsync(pubsubName, topic, content, new QueryBuilder().AddMetadata(metadata).ToString(), options: null, cancellationToken);
    }

    /// <inheritdoc cref="PublishCloudEventAsync(string, string, ReadOnlyMemory{byte}, IReadOnlyDictionary{string, string}?, CancellationToken)"/>
    public Task PublishCloudEventAsync(string pubsubName, string topic, JsonElement cloudEvent,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        if (cloudEvent.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("A structured CloudEvent must be a JSON object.", nameof(cloudEvent));
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(cloudEvent, SidecarJsonContext.Default.JsonElement);
        return PublishCloudEventAsync(pubsubName, topic, bytes, metadata, cancellationToken);
    }

    /// <summary>
    /// <c>POST /v1.0-alpha1/publish/bulk/{pubsub}/{topic}</c> (the alpha path answers on daprd 1.15–1.18).
    /// Partial failure is not an exception: daprd's 500 with <c>failedEntries</c> is returned as
    /// <see cref="BulkPublishResponse.FailedEntries"/>. Dapr docs: reference/api/pubsub_api#publish-multiple-messages-to-a-given-topic
    /// </summary>
    public async Task<BulkPublishResponse> BulkPublishAsync(string pubsubName, string topic, IReadOnlyList<BulkPublishEntry> entries,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var body = JsonSerializer.SerializeToUtf8Bytes(entries, SidecarJsonContext.Default.IReadOnlyListBulkPublishEntry);
        using var request = CreateRequest(HttpMethod.Post,
            $"/v1.0-alpha1/publish/bulk/{Segment(pubsubName)}/{PathTail(topic)}{new QueryBuilder().AddMetadata(metadata)}");
        request.Content = JsonBody(body);
        using var response = await SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return new BulkPublishResponse([], ErrorCode: null);
        }

        if (response.StatusCode == HttpStatusCode.InternalServerError)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (TryParseBulkFailure(text, out var failure))
            {
                return failure;
            }
        }

        throw await ReadErrorAsync(request, response, eTagMismatchOnConflict: false, cancellationToken);
    }

    private static bool TryParseBulkFailure(string body, out BulkPublishResponse failure)
    {
        failure = null!;
        try
        {
            var parsed = JsonSerializer.Deserialize(body, SidecarJsonContext.Default.BulkPublishErrorBody);
            if (parsed?.FailedEntries is not { Count: > 0 } failed)
            {
                return false;
            }

            failure = new BulkPublishResponse(failed, parsed.ErrorCode);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private async Task PublishCoreAsync(string pubsubName, string topic, HttpContent content, string query, PublishOptions? options,
        CancellationToken cancellationToken)
    {
        // Producer span: the parent of the HttpClient span whose traceparent daprd continues (Telemetry/PublishActivity.cs).
        using var activity = PublishActivity.Start(pubsubName, topic, options);
        using var request = CreateRequest(HttpMethod.Post, $"/v1.0/publish/{Segment(pubsubName)}/{PathTail(topic)}{query}");
        request.Content = content;
        try
        {
            using var response = await SendAsync(request, cancellationToken);
            await EnsureSuccessAsync(request, response, cancellationToken);
        }
        catch (Exception ex) when (PublishActivity.Failed(activity, ex))
        {
            throw; // Never entered: the filter records the error on the span and lets the exception pass.
        }
    }

    private static string PublishQuery(PublishOptions? options)
    {
        var query = new QueryBuilder();
        if (options is null)
        {
            return string.Empty;
        }

        query.Add("metadata.cloudevent.id", options.CloudEventId)
            .Add("metadata.cloudevent.type", options.CloudEventType)
            .Add("metadata.cloudevent.source", options.CloudEventSource)
            .Add("metadata.cloudevent.subject", options.CloudEventSubject)
            .Add("metadata.ttlInSeconds", options.TtlInSeconds?.ToString(CultureInfo.InvariantCulture))
            .Add("metadata.rawPayload", options.RawPayload ? "true" : null)
            .AddMetadata(options.Metadata);
        return query.ToString();
    }
}
