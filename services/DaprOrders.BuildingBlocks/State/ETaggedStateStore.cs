using Dapr;
using Dapr.Client;
using Grpc.Core;

namespace DaprOrders.BuildingBlocks.State;

/// <summary>A value read from a state store together with the ETag to write it back with.</summary>
/// <param name="Key">The key, without the app-id prefix daprd adds.</param>
/// <param name="Value">The value; null when the key does not exist.</param>
/// <param name="ETag">The ETag the store returned; empty when the key does not exist.</param>
public sealed record StateVersion<T>(string Key, T? Value, string ETag)
    where T : class
{
    /// <summary>The key existed when it was read.</summary>
    public bool Exists => ETag.Length > 0;
}

/// <summary>
/// The one way the services change a document that several deliveries or replicas may write at once: read it with its
/// ETag, compute the change, write it only if nobody wrote in between, and on a conflict read again and re-apply.
/// <para>
/// <b>The write rule</b>, stated once for every service: a key that existed when it was read is written with the ETag it
/// was read with; a key that did not exist is written with first-write concurrency and no ETag, which the store accepts
/// only while the key still does not exist. Either way a refused write means another writer got there first
/// (<see cref="TryWriteAsync"/> answers false, a bulk save throws <see cref="StateConflictException"/>), never that data
/// was overwritten. Dapr docs: developing-applications/building-blocks/state-management/state-management-overview
/// (concurrency); daprd answers a refused write with gRPC ABORTED (dapr/dapr v1.17.13 pkg/api/errors/state.go).
/// </para>
/// </summary>
public sealed class ETaggedStateStore<T>(DaprClient dapr, string storeName)
    where T : class
{
    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    public string StoreName { get; } = storeName;

    /// <summary>Reads <paramref name="key"/> with strong consistency, so the ETag is the latest one.</summary>
    public async Task<StateVersion<T>> ReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var (value, etag) = await dapr.GetStateAndETagAsync<T>(StoreName, key, ConsistencyMode.Strong, cancellationToken: cancellationToken);
        return new StateVersion<T>(key, value, etag ?? string.Empty);
    }

    /// <summary>Reads several keys in one bulk call; the answer has one version per key, in the order asked.</summary>
    public async Task<IReadOnlyList<StateVersion<T>>> ReadManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            return [];
        }

        var items = await dapr.GetBulkStateAsync<T>(StoreName, keys, parallelism: null, cancellationToken: cancellationToken);
        var byKey = items.ToDictionary(i => i.Key, StringComparer.Ordinal);
        return [.. keys.Select(key => byKey.TryGetValue(key, out var item) && !string.IsNullOrEmpty(item.ETag)
            ? new StateVersion<T>(key, item.Value, item.ETag)
            : new StateVersion<T>(key, null, string.Empty))];
    }

    /// <summary>Writes <paramref name="value"/> over what <paramref name="read"/> saw; false when someone wrote in between.</summary>
    public async Task<bool> TryWriteAsync(StateVersion<T> read, T value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        if (read.Exists)
        {
            return await dapr.TrySaveStateAsync(StoreName, read.Key, value, read.ETag, FirstWrite, cancellationToken: cancellationToken);
        }

        try
        {
            await dapr.SaveStateAsync(StoreName, read.Key, value, FirstWrite, cancellationToken: cancellationToken);
            return true;
        }
        catch (DaprException ex) when (IsConflict(ex))
        {
            return false;
        }
    }

    /// <summary>
    /// Writes several values in one bulk save, each under the write rule. daprd's bulk save is not atomic: after a
    /// <see cref="StateConflictException"/> some items may have landed, so read again before re-applying.
    /// </summary>
    public async Task WriteManyAsync(IReadOnlyList<(StateVersion<T> Read, T Value)> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writes);
        if (writes.Count == 0)
        {
            return;
        }

        try
        {
            await dapr.SaveBulkStateAsync(StoreName,
                [.. writes.Select(w => new SaveStateItem<T>(w.Read.Key, w.Value, w.Read.ETag, FirstWrite))], cancellationToken);
        }
        catch (DaprException ex) when (IsConflict(ex))
        {
            throw new StateConflictException(StoreName, ex);
        }
    }

    /// <summary>
    /// Reads <paramref name="key"/>, lets <paramref name="change"/> decide, and writes what it decided; on a conflict
    /// reads again and asks again, up to <paramref name="maxAttempts"/> times.
    /// </summary>
    /// <returns>The decision that was written (or that wrote nothing); null when every attempt lost a race.</returns>
    public async Task<StateChange<T, TResult>?> UpdateAsync<TResult>(string key, Func<StateVersion<T>, StateChange<T, TResult>> change,
        int maxAttempts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        for (var attempt = 0; attempt < maxAttempts; attempt++)
        {
            var read = await ReadAsync(key, cancellationToken);
            var decision = change(read);
            if (decision.Value is null || await TryWriteAsync(read, decision.Value, cancellationToken))
            {
                return decision;
            }
        }

        return null;
    }

    /// <summary>A refused conditional write: gRPC ABORTED, which is how daprd reports an ETag mismatch or an existing key under first-write.</summary>
    public static bool IsConflict(DaprException exception) =>
        exception?.InnerException is RpcException { StatusCode: StatusCode.Aborted };
}

/// <summary>What an <see cref="ETaggedStateStore{T}.UpdateAsync{TResult}"/> pass decided.</summary>
/// <param name="Value">The document to write; null to write nothing.</param>
/// <param name="Result">What the caller wants to know about the decision.</param>
public sealed record StateChange<T, TResult>(T? Value, TResult Result)
    where T : class;

/// <summary>A bulk save that a concurrent writer got in first for at least one item.</summary>
public sealed class StateConflictException : Exception
{
    public StateConflictException()
    {
    }

    public StateConflictException(string message)
        : base(message)
    {
    }

    public StateConflictException(string storeName, Exception innerException)
        : base($"Another writer changed a key of state store '{storeName}' since it was read.", innerException)
    {
    }
}
