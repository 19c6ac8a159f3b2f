using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace DaprOrders.Sidecar.Actors;

internal sealed class ActorStateManager(DaprSidecarClient sidecar, string actorType, string actorId, JsonSerializerOptions jsonOptions)
    : IActorStateManager
{
    private readonly Dictionary<string, CachedState> _cache = new(StringComparer.Ordinal);

    public async Task<T> GetStateAsync<T>(string stateName, CancellationToken cancellationToken = default)
    {
        var result = await TryGetStateAsync<T>(stateName, cancellationToken);
        return result.HasValue
            ? result.Value!
            : throw new KeyNotFoundException($"Actor {actorType}/{actorId} has no state named '{stateName}'.");
    }

    public async Task<ConditionalValue<T>> TryGetStateAsync<T>(string stateName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        if (!_cache.TryGetValue(stateName, out var cached))
        {
            var stored = await sidecar.GetActorStateAsync(actorType, actorId, stateName, cancellationToken);
            if (stored is null)
            {
                return default;
            }

            cached = new CachedState(stored.Value, typeof(JsonElement), StateChange.None);
            _cache[stateName] = cached;
        }

        if (cached.Change == StateChange.Remove)
        {
            return default;
        }

        if (cached.Value is JsonElement raw && typeof(T) != typeof(JsonElement))
        {
            // Loaded before its type was known: convert once and keep the typed value.
            var typed = raw.Deserialize((JsonTypeInfo<T>)jsonOptions.GetTypeInfo(typeof(T)));
            _cache[stateName] = cached with { Value = typed, ValueType = typeof(T) };
            return new ConditionalValue<T>(true, typed);
        }

        return new ConditionalValue<T>(true, (T?)cached.Value);
    }

    public Task SetStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        _cache[stateName] = new CachedState(value, typeof(T), StateChange.Upsert);
        return Task.CompletedTask;
    }

    public async Task RemoveStateAsync(string stateName, CancellationToken cancellationToken = default)
    {
        if (!await TryRemoveStateAsync(stateName, cancellationToken))
        {
            throw new KeyNotFoundException($"Actor {actorType}/{actorId} has no state named '{stateName}'.");
        }
    }

    public async Task<bool> TryRemoveStateAsync(string stateName, CancellationToken cancellationToken = default)
    {
        if (!await ContainsStateAsync(stateName, cancellationToken))
        {
            return false;
        }

        _cache[stateName] = new CachedState(null, typeof(object), StateChange.Remove);
        return true;
    }

    public async Task<bool> ContainsStateAsync(string stateName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        if (_cache.TryGetValue(stateName, out var cached))
        {
            return cached.Change != StateChange.Remove;
        }

        var stored = await sidecar.GetActorStateAsync(actorType, actorId, stateName, cancellationToken);
        if (stored is null)
        {
            return false;
        }

        _cache[stateName] = new CachedState(stored.Value, typeof(JsonElement), StateChange.None);
        return true;
    }

    public async Task<T> GetOrAddStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default)
    {
        var existing = await TryGetStateAsync<T>(stateName, cancellationToken);
        if (existing.HasValue)
        {
            return existing.Value!;
        }

        await SetStateAsync(stateName, value, cancellationToken);
        return value;
    }

    /// <summary>Saves every change of the turn in one transaction; no call when nothing changed.</summary>
    public async Task SaveAsync(CancellationToken cancellationToken)
    {
        var operations = new List<ActorStateOperation>();
        foreach (var (name, state) in _cache)
        {
            switch (state.Change)
            {
                case StateChange.Upsert:
                    operations.Add(ActorStateOperation.Upsert(name,
                        JsonSerializer.SerializeToElement(state.Value, jsonOptions.GetTypeInfo(state.ValueType))));
                    break;
                case StateChange.Remove:
                    operations.Add(ActorStateOperation.Delete(name));
                    break;
                case StateChange.None:
                    break;
            }
        }

        if (operations.Count == 0)
        {
            return;
        }

        await sidecar.ExecuteActorStateTransactionAsync(actorType, actorId, operations, cancellationToken);
        foreach (var name in _cache.Keys.ToList())
        {
            var state = _cache[name];
            if (state.Change == StateChange.Remove)
            {
                _cache.Remove(name);
            }
            else if (state.Change == StateChange.Upsert)
            {
                _cache[name] = state with { Change = StateChange.None };
            }
        }
    }

    /// <summary>Forgets unsaved changes and cached reads (after a failed turn).</summary>
    public void ClearCache() => _cache.Clear();

    private enum StateChange
    {
        None,
        Upsert,
        Remove,
    }

    private sealed record CachedState(object? Value, Type ValueType, StateChange Change);
}
