using DaprOrders.Emulator.Hosting;

namespace DaprOrders.Emulator.Actors;

/// <summary>Where an actor lives: the hosting app's sidecar and how that app wants the type run.</summary>
public sealed record ActorHost(AppSidecar Sidecar, ActorTypeSettings Settings)
{
    public string AppId => Sidecar.AppId;
}

/// <summary>
/// The emulator's placement table: actor type to the apps that declared it in GET /dapr/config. With several hosts
/// an id always maps to the same one, as daprd's consistent hashing does.
/// </summary>
public sealed class ActorPlacement
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ActorHostConfig> _configByAppId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AppSidecar> _sidecarByAppId = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>Registers (or replaces) the actor types an app hosts.</summary>
    public void Register(AppSidecar sidecar, ActorHostConfig config)
    {
        ArgumentNullException.ThrowIfNull(sidecar);
        ArgumentNullException.ThrowIfNull(config);
        TaskCompletionSource changed;
        lock (_lock)
        {
            _configByAppId[sidecar.AppId] = config;
            _sidecarByAppId[sidecar.AppId] = sidecar;
            changed = _changed;
            _changed = NewSignal();
        }

        changed.TrySetResult();
    }

    /// <summary>The app went away: its types are no longer placed on it.</summary>
    public void Unregister(string appId)
    {
        lock (_lock)
        {
            _configByAppId.Remove(appId);
            _sidecarByAppId.Remove(appId);
        }
    }

    /// <summary>The types an app hosts, with their settings (empty when it hosts none or has not connected yet).</summary>
    public IReadOnlyList<ActorTypeSettings> HostedTypes(string appId)
    {
        lock (_lock)
        {
            return _configByAppId.TryGetValue(appId, out var config) ? config.Types : [];
        }
    }

    public bool IsHostedBy(string appId, string actorType) => HostedTypes(appId).Any(t => t.ActorType == actorType);

    /// <summary>True once the app's /dapr/config was read (even if it hosts nothing).</summary>
    public bool IsRegistered(string appId)
    {
        lock (_lock)
        {
            return _configByAppId.ContainsKey(appId);
        }
    }

    public ActorHost? Lookup(string actorType, string actorId)
    {
        lock (_lock)
        {
            var hosts = _configByAppId
                .Select(p => (AppId: p.Key, Settings: p.Value.Types.FirstOrDefault(t => t.ActorType == actorType)))
                .Where(h => h.Settings is not null)
                .OrderBy(h => h.AppId, StringComparer.Ordinal)
                .ToList();
            if (hosts.Count == 0)
            {
                return null;
            }

            var hash = StableHash($"{actorType}||{actorId}");
            var chosen = hosts[(int)(hash % (uint)hosts.Count)];
            return new ActorHost(_sidecarByAppId[chosen.AppId], chosen.Settings!);
        }
    }

    /// <summary>
    /// Like <see cref="Lookup"/>, but waits up to <paramref name="timeout"/> for an app hosting the type to connect,
    /// as daprd retries "actor not found" while placement tables disseminate.
    /// </summary>
    public async Task<ActorHost?> WaitForHostAsync(string actorType, string actorId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // Real clock on purpose: this waits for an app process to come up, not for emulated time to pass.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                changed = _changed.Task;
            }

            if (Lookup(actorType, actorId) is { } host)
            {
                return host;
            }

            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null;
            }
        }
    }

    // string.GetHashCode is randomised per process; FNV-1a keeps an id on the same host across runs.
    private static uint StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return hash;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
