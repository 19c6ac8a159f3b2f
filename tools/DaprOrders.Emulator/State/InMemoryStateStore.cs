namespace DaprOrders.Emulator.State;

/// <summary>
/// The state.in-memory component: a dictionary with opaque ETags (a new one on every write) and TTLs measured on the
/// emulator's clock. One instance per component, shared by every app that sees the component (unlike real daprd,
/// where each sidecar process has its own in-memory store; key prefixes keep apps apart anyway).
/// </summary>
public sealed class InMemoryStateStore(string name, TimeProvider timeProvider) : ITransactionalStateStore
{
    private readonly Dictionary<string, StoredState> _items = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public string Name { get; } = name;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    public StoredState? Get(string key)
    {
        lock (_lock)
        {
            return Live(key);
        }
    }

    public void Transact(IReadOnlyList<StateOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        lock (_lock)
        {
            // Validate against the state as it evolves inside the transaction, then apply: all or nothing.
            var staged = new Dictionary<string, StoredState?>(StringComparer.Ordinal);
            foreach (var operation in operations)
            {
                var current = staged.TryGetValue(operation.Key, out var pending) ? pending : Live(operation.Key);
                Validate(operation, current);
                staged[operation.Key] = operation.Kind == StateOperationKind.Upsert
                    ? new StoredState(
                        operation.Value.ToArray(),
                        Guid.NewGuid().ToString(),
                        operation.Ttl is { } ttl ? timeProvider.GetUtcNow() + ttl : null)
                    : null;
            }

            foreach (var (key, value) in staged)
            {
                if (value is null)
                {
                    _items.Remove(key);
                }
                else
                {
                    _items[key] = value;
                }
            }
        }
    }

    /// <summary>Physical keys currently held (expired ones excluded), for tests and diagnostics.</summary>
    public IReadOnlyList<string> Keys()
    {
        lock (_lock)
        {
            return _items.Keys.Where(k => Live(k) is not null).ToList();
        }
    }

    private static void Validate(StateOperation operation, StoredState? current)
    {
        if (!string.IsNullOrEmpty(operation.ETag))
        {
            if (current is null || !string.Equals(current.ETag, operation.ETag, StringComparison.Ordinal))
            {
                throw new StateETagMismatchException(operation.Key);
            }
        }
        else if (operation.FirstWrite && operation.Kind == StateOperationKind.Upsert && current is not null)
        {
            // first-write without an ETag: the key must not exist yet (state.in-memory and Redis behave so).
            throw new StateETagMismatchException(operation.Key);
        }
    }

    private StoredState? Live(string key)
    {
        if (!_items.TryGetValue(key, out var item))
        {
            return null;
        }

        if (item.ExpiresAt is { } expiresAt && expiresAt <= timeProvider.GetUtcNow())
        {
            _items.Remove(key);
            return null;
        }

        return item;
    }
}
