using Dapr;
using Dapr.Client;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
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

    /// <summary>
    /// A guess that <paramref name="key"/> does not exist yet, unread: a write over it is a first-write, which the store
    /// refuses if the guess was wrong. For a caller that expects a new key, it spares the read before the write.
    /// </summary>
    public static StateVersion<T> Missing(string key) => new(key, null, string.Empty);
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
/// <para>
/// <b>The retry rule</b>: after a refused write, read again and decide again from what is there now, a bounded number of
/// times; then give up and let the caller be retried later (a topic delivery answers RETRY). <see cref="ChangeAsync"/>
/// is that loop; callers do not write their own.
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

    /// <summary>The values of those of <paramref name="keys"/> that exist, in the order asked, in one bulk call.</summary>
    public async Task<IReadOnlyList<T>> ReadValuesAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var versions = await ReadManyAsync([.. keys], cancellationToken);
        return [.. versions.Select(v => v.Value).OfType<T>()];
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
    /// Writes <paramref name="value"/> over <paramref name="read"/> under the write rule and, in the same state
    /// transaction, the upserts in <paramref name="alongside"/> (other keys of this store): all of them land or none.
    /// False when the transaction was refused. daprd answers a refused write inside a transaction like any failed
    /// transaction (gRPC INTERNAL, <c>ERR_STATE_TRANSACTION</c>; dapr/dapr v1.17.13 pkg/api/grpc/grpc.go
    /// ExecuteStateTransaction), so false means "another writer got there first, or the store failed": read again to
    /// know which.
    /// </summary>
    public async Task<bool> TryWriteWithAsync(StateVersion<T> read, T value, IReadOnlyList<StateTransactionRequest> alongside,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(alongside);
        // Serialized as SaveStateAsync would: with the client's options, which hold the apps' source-generated contexts.
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, (JsonTypeInfo<T>)dapr.JsonSerializerOptions.GetTypeInfo(typeof(T)));
        var write = new StateTransactionRequest(read.Key, bytes, StateOperationType.Upsert, read.Exists ? read.ETag : null, options: FirstWrite);
        try
        {
            await dapr.ExecuteStateTransactionAsync(StoreName, [write, .. alongside], cancellationToken: cancellationToken);
            return true;
        }
        catch (DaprException ex) when (ex.InnerException is RpcException { StatusCode: StatusCode.Internal })
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
    /// Runs <paramref name="pass"/> over a fresh read of <paramref name="key"/> until it settles: the pass decides, does
    /// its side effects, writes through <see cref="StatePass{T}.TryWriteAsync"/> and answers its result, or null to read
    /// again (its write lost a race, or it wants the ETag of what it just wrote). Gives up after
    /// <paramref name="maxPasses"/> passes.
    /// </summary>
    /// <param name="known">
    /// A read of <paramref name="key"/> the caller made just before, or <see cref="StateVersion{T}.Missing"/>, used by the
    /// first pass instead of reading.
    /// </param>
    /// <returns>What the settling pass answered; null when no pass settled (the caller asks to be retried later).</returns>
    public async Task<TResult?> ChangeAsync<TResult>(string key, Func<StatePass<T>, CancellationToken, Task<TResult?>> pass,
        int maxPasses, CancellationToken cancellationToken = default, StateVersion<T>? known = null)
        where TResult : struct
    {
        ArgumentNullException.ThrowIfNull(pass);
        var lostRace = false;
        for (var attempt = 0; attempt < maxPasses; attempt++)
        {
            // A stale known read or a wrong guess costs nothing extra: its write is refused and the next pass reads afresh.
            var read = attempt == 0 && known is not null && known.Key == key ? known : await ReadAsync(key, cancellationToken);
            var current = new StatePass<T>(this, read, lostRace);
            if (await pass(current, cancellationToken) is { } settled)
            {
                return settled;
            }

            lostRace |= current.LostRace;
        }

        return null;
    }

    /// <summary>
    /// <see cref="ChangeAsync{TResult}"/> for a change without side effects: <paramref name="change"/> decides from the
    /// read, and its decision is written (or nothing, when it decides no value).
    /// </summary>
    /// <param name="known">As for <see cref="ChangeAsync{TResult}"/>: a read the first attempt uses instead of reading again.</param>
    /// <returns>The decision that was written (or that wrote nothing); null when every attempt lost a race.</returns>
    public async Task<StateChange<T, TResult>?> UpdateAsync<TResult>(string key, Func<StateVersion<T>, StateChange<T, TResult>> change,
        int maxAttempts, CancellationToken cancellationToken = default, StateVersion<T>? known = null)
    {
        ArgumentNullException.ThrowIfNull(change);
        StateChange<T, TResult>? decision = null;
        var settled = await ChangeAsync<bool>(key, async (pass, ct) =>
        {
            decision = change(pass.Read);
            return decision.Value is null || await pass.TryWriteAsync(decision.Value, ct) ? true : null;
        }, maxAttempts, cancellationToken, known);
        return settled is null ? null : decision;
    }

    /// <summary>A refused conditional write: gRPC ABORTED, which is how daprd reports an ETag mismatch or an existing key under first-write.</summary>
    public static bool IsConflict(DaprException exception) =>
        exception?.InnerException is RpcException { StatusCode: StatusCode.Aborted };
}

/// <summary>One pass of <see cref="ETaggedStateStore{T}.ChangeAsync{TResult}"/>: what it read, and the write back over it.</summary>
public sealed class StatePass<T>
    where T : class
{
    private readonly ETaggedStateStore<T> _store;

    internal StatePass(ETaggedStateStore<T> store, StateVersion<T> read, bool afterLostRace)
    {
        _store = store;
        Read = read;
        AfterLostRace = afterLostRace;
    }

    /// <summary>The document as this pass read it, with its ETag.</summary>
    public StateVersion<T> Read { get; }

    /// <summary>The document; null when the key does not exist.</summary>
    public T? Value => Read.Value;

    /// <summary>An earlier pass of the same change lost a write race: another writer changed the document meanwhile.</summary>
    public bool AfterLostRace { get; }

    internal bool LostRace { get; private set; }

    /// <summary>Writes <paramref name="value"/> over <see cref="Read"/> under the store's rule; false when someone wrote in between.</summary>
    public async Task<bool> TryWriteAsync(T value, CancellationToken cancellationToken = default)
    {
        var written = await _store.TryWriteAsync(Read, value, cancellationToken);
        LostRace |= !written;
        return written;
    }

    /// <summary>
    /// <see cref="TryWriteAsync"/> in one state transaction with <paramref name="alongside"/>
    /// (<see cref="ETaggedStateStore{T}.TryWriteWithAsync"/>); false when the transaction was refused.
    /// </summary>
    public async Task<bool> TryWriteWithAsync(T value, IReadOnlyList<StateTransactionRequest> alongside, CancellationToken cancellationToken = default)
    {
        var written = await _store.TryWriteWithAsync(Read, value, alongside, cancellationToken);
        LostRace |= !written;
        return written;
    }
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
