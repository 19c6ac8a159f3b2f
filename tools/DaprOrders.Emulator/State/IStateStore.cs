namespace DaprOrders.Emulator.State;

/// <summary>A value as a state store holds it: the JSON bytes daprd stored, and the ETag it issued.</summary>
public sealed record StoredState(ReadOnlyMemory<byte> Value, string ETag);

public enum StateOperationKind
{
    Upsert,
    Delete,
}

/// <summary>One write in a transaction. Keys are the store's physical keys (already prefixed as daprd prefixes them).</summary>
public sealed record StateOperation(
    StateOperationKind Kind,
    string Key,
    ReadOnlyMemory<byte> Value = default,
    string? ETag = null,
    bool FirstWrite = false);

/// <summary>The ETag given did not match, or first-write found an existing key (daprd reports these as 409, or 500 inside transactions).</summary>
public sealed class StateETagMismatchException(string key)
    : Exception($"possible etag mismatch for key {key}")
{
    public string Key { get; } = key;
}

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
