using System.Buffers;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace DaprOrders.Sidecar;

public sealed partial class DaprSidecarClient
{
    /// <summary>
    /// <c>GET /v1.0/state/{store}/{key}</c>; default when daprd answers 204 (missing).
    /// Dapr docs: reference/api/state_api#get-state
    /// </summary>
    public async Task<T?> GetStateAsync<T>(string storeName, string key, JsonTypeInfo<T> typeInfo,
        ConsistencyMode? consistency = null, IReadOnlyDictionary<string, string>? metadata = null,
        CancellationToken cancellationToken = default)
    {
        var entry = await GetStateEntryAsync(storeName, key, typeInfo, consistency, metadata, cancellationToken);
        return entry is null ? default : entry.Value;
    }

    /// <summary>Value plus ETag (for optimistic concurrency); null when the key does not exist (204).</summary>
    public async Task<StateEntry<T>?> GetStateEntryAsync<T>(string storeName, string key, JsonTypeInfo<T> typeInfo,
        ConsistencyMode? consistency = null, IReadOnlyDictionary<string, string>? metadata = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        var query = new QueryBuilder().Add("consistency", Format(consistency)).AddMetadata(metadata);
        using var request = CreateRequest(HttpMethod.Get, $"/v1.0/state/{Segment(storeName)}/{Segment(key)}{query}");
        using var response = await SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return null;
        }

        await EnsureSuccessAsync(request, response, cancellationToken);
        var value = await ReadJsonAsync(response, typeInfo, cancellationToken);
        return new StateEntry<T>(key, value, ReadETag(response), ReadMetadataHeaders(response));
    }

    /// <summary>
    /// <c>POST /v1.0/state/{store}/bulk</c>. Items come back in request order; a missing key has no data.
    /// Dapr docs: reference/api/state_api#get-bulk-state
    /// </summary>
    public async Task<IReadOnlyList<BulkStateItem>> GetBulkStateAsync(string storeName, IReadOnlyList<string> keys,
        int? parallelism = null, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var body = JsonSerializer.SerializeToUtf8Bytes(new BulkGetStateRequest(keys, parallelism, metadata),
            SidecarJsonContext.Default.BulkGetStateRequest);
        using var request = CreateRequest(HttpMethod.Post, $"/v1.0/state/{Segment(storeName)}/bulk");
        request.Content = JsonBody(body);
        using var response = await SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(request, response, cancellationToken);
        return await ReadJsonAsync(response, SidecarJsonContext.Default.IReadOnlyListBulkStateItem, cancellationToken) ?? [];
    }

    /// <summary>
    /// <c>POST /v1.0/state/{store}</c> with a one-item array. Throws <see cref="DaprETagMismatchException"/> on 409.
    /// Dapr docs: reference/api/state_api#save-state
    /// </summary>
    public Task SaveStateAsync<T>(string storeName, string key, T value, JsonTypeInfo<T> typeInfo, string? etag = null,
        StateOptions? options = null, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return SaveBulkStateAsync(storeName, [new SaveStateItem<T>(key, value, etag, options, metadata)], typeInfo, cancellationToken);
    }

    /// <summary>
    /// <c>POST /v1.0/state/{store}</c> with several items. daprd hands them to the store's BulkSet, which is not atomic:
    /// on <see cref="DaprETagMismatchException"/> (409) some items may have been written and others not, so callers
    /// re-read before retrying.
    /// Dapr docs: reference/api/state_api#save-state
    /// </summary>
    public async Task SaveBulkStateAsync<T>(string storeName, IReadOnlyList<SaveStateItem<T>> items, JsonTypeInfo<T> typeInfo,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (items.Count == 0)
        {
            return;
        }

        using var request = CreateRequest(HttpMethod.Post, $"/v1.0/state/{Segment(storeName)}");
        request.Content = JsonBody(WriteSaveStateBody(items, typeInfo));
        using var response = await SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ReadErrorAsync(request, response, eTagMismatchOnConflict: true, cancellationToken);
        }
    }

    /// <summary>Like <see cref="SaveStateAsync{T}"/> with an ETag, but returns false when daprd reports a mismatch (409).</summary>
    public async Task<bool> TrySaveStateAsync<T>(string storeName, string key, T value, JsonTypeInfo<T> typeInfo, string etag,
        StateOptions? options = null, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(etag);
        try
        {
            await SaveStateAsync(storeName, key, value, typeInfo, etag, options, metadata, cancellationToken);
            return true;
        }
        catch (DaprETagMismatchException)
        {
            return false;
        }
    }

    /// <summary>
    /// <c>DELETE /v1.0/state/{store}/{key}</c> with <c>If-Match</c>; 204 also when the key did not exist.
    /// Dapr docs: reference/api/state_api#delete-state
    /// </summary>
    public async Task DeleteStateAsync(string storeName, string key, string? etag = null, StateOptions? options = null,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        var query = new QueryBuilder()
            .Add("concurrency", Format(options?.Concurrency))
            .Add("consistency", Format(options?.Consistency))
            .AddMetadata(metadata);
        using var request = CreateRequest(HttpMethod.Delete, $"/v1.0/state/{Segment(storeName)}/{Segment(key)}{query}");
        if (!string.IsNullOrEmpty(etag))
        {
            // Sent verbatim: daprd compares the raw header value with the store's (unquoted) ETag.
            request.Headers.TryAddWithoutValidation("If-Match", etag);
        }

        using var response = await SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ReadErrorAsync(request, response, eTagMismatchOnConflict: true, cancellationToken);
        }
    }

    /// <summary>Like <see cref="DeleteStateAsync"/> with an ETag, but returns false on mismatch (409).</summary>
    public async Task<bool> TryDeleteStateAsync(string storeName, string key, string etag, StateOptions? options = null,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(etag);
        try
        {
            await DeleteStateAsync(storeName, key, etag, options, metadata, cancellationToken);
            return true;
        }
        catch (DaprETagMismatchException)
        {
            return false;
        }
    }

    /// <summary>
    /// <c>POST /v1.0/state/{store}/transaction</c>. All-or-nothing on transactional stores. An ETag mismatch inside a
    /// transaction is NOT a 409: daprd answers 500 <c>ERR_STATE_TRANSACTION</c> (→ <see cref="DaprApiException"/>).
    /// <paramref name="metadata"/> is the request-level metadata (body <c>metadata</c>); daprd does not copy it into the
    /// operations, so outbox settings such as <c>contentType</c> belong on each operation.
    /// Dapr docs: reference/api/state_api#state-transactions
    /// </summary>
    public async Task ExecuteStateTransactionAsync(string storeName, IReadOnlyList<StateTransactionOperation> operations,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var wire = new StateTransactionRequest(
            operations.Select(op => new StateOperationWire(Format(op.Operation),
                new StateOperationRequestWire(op.Key, op.Value, op.ETag, op.Metadata, ToWire(op.Options), op.ContentType))).ToList(),
            metadata);
        var body = JsonSerializer.SerializeToUtf8Bytes(wire, SidecarJsonContext.Default.StateTransactionRequest);
        using var request = CreateRequest(HttpMethod.Post, $"/v1.0/state/{Segment(storeName)}/transaction");
        request.Content = JsonBody(body);
        using var response = await SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(request, response, cancellationToken);
    }

    private static byte[] WriteSaveStateBody<T>(IReadOnlyList<SaveStateItem<T>> items, JsonTypeInfo<T> typeInfo)
    {
        // Written by hand so each value goes straight from the caller's JsonTypeInfo into its array item.
        var buffer = new ArrayBufferWriter<byte>(256 * items.Count);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var item in items)
            {
                ArgumentException.ThrowIfNullOrEmpty(item.Key);
                writer.WriteStartObject();
                writer.WriteString("key", item.Key);
                writer.WritePropertyName("value");
                JsonSerializer.Serialize(writer, item.Value, typeInfo);
                if (!string.IsNullOrEmpty(item.ETag))
                {
                    writer.WriteString("etag", item.ETag);
                }

                if (item.Metadata is { Count: > 0 })
                {
                    writer.WriteStartObject("metadata");
                    foreach (var (name, text) in item.Metadata)
                    {
                        writer.WriteString(name, text);
                    }

                    writer.WriteEndObject();
                }

                if (ToWire(item.Options) is { } wireOptions)
                {
                    writer.WriteStartObject("options");
                    if (wireOptions.Concurrency is not null)
                    {
                        writer.WriteString("concurrency", wireOptions.Concurrency);
                    }

                    if (wireOptions.Consistency is not null)
                    {
                        writer.WriteString("consistency", wireOptions.Consistency);
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static StateOptionsWire? ToWire(StateOptions? options) =>
        options is null || (options.Concurrency is null && options.Consistency is null)
            ? null
            : new StateOptionsWire(Format(options.Concurrency), Format(options.Consistency));

    private static string Format(StateOperationType operation) => operation switch
    {
        StateOperationType.Upsert => "upsert",
        StateOperationType.Delete => "delete",
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
    };

    private static string? Format(ConsistencyMode? consistency) => consistency switch
    {
        null => null,
        ConsistencyMode.Eventual => "eventual",
        ConsistencyMode.Strong => "strong",
        _ => throw new ArgumentOutOfRangeException(nameof(consistency), consistency, null),
    };

    private static string? Format(ConcurrencyMode? concurrency) => concurrency switch
    {
        null => null,
        ConcurrencyMode.FirstWrite => "first-write",
        ConcurrencyMode.LastWrite => "last-write",
        _ => throw new ArgumentOutOfRangeException(nameof(concurrency), concurrency, null),
    };

    private static string? ReadETag(HttpResponseMessage response) =>
        // daprd writes "Etag: 3" unquoted, which the typed ETag header parser would reject.
        response.Headers.NonValidated.TryGetValues("ETag", out var values) ? values.FirstOrDefault() : null;

    private static Dictionary<string, string> ReadMetadataHeaders(HttpResponseMessage response)
    {
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.NonValidated)
        {
            if (name.StartsWith("metadata.", StringComparison.OrdinalIgnoreCase))
            {
                metadata[name["metadata.".Length..]] = values.ToString();
            }
        }

        return metadata;
    }
}
