namespace DaprOrders.Emulator.State;

/// <summary>A value as a state store holds it: the JSON bytes daprd stored, the ETag it issued and when it expires.</summary>
public sealed record StoredState(ReadOnlyMemory<byte> Value, string ETag, DateTimeOffset? ExpiresAt = null);

public enum StateOperationKind
{
    Upsert,
    Delete,
}

/// <summary>One write in a transaction. Keys are the store's physical keys (already prefixed as daprd prefixes them).</summary>
/// <param name="Ttl">For upserts: the value expires after this long (state metadata ttlInSeconds); null keeps it forever.</param>
public sealed record StateOperation(
    StateOperationKind Kind,
    string Key,
    ReadOnlyMemory<byte> Value = default,
    string? ETag = null,
    bool FirstWrite = false,
    TimeSpan? Ttl = null);

/// <summary>The ETag given did not match, or first-write found an existing key (daprd reports these as 409, or 500 inside transactions).</summary>
public sealed class StateETagMismatchException(string key)
    : Exception($"possible etag mismatch for key {key}")
{
    public string Key { get; } = key;
}

/// <summary>A call into a store that never reached it: its circuit breaker is open, or a timeout ended the attempt.</summary>
public sealed class StateStoreUnavailableException(string message, Exception? innerException) : Exception(message, innerException);

/// <summary>
/// A transactional store with ETags, as the state.in-memory component provides; actor state and the outbox need both
/// features. Physical keys only: prefixing is the caller's job because it depends on the calling app and component.
/// </summary>
public interface ITransactionalStateStore
{
    string Name { get; }

    StoredState? Get(string key);

    /// <summary>Applies every operation or none; throws <see cref="StateETagMismatchException"/> on a concurrency conflict.</summary>
    void Transact(IReadOnlyList<StateOperation> operations);
}
