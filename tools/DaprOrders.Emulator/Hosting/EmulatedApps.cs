using System.Collections.Concurrent;

namespace DaprOrders.Emulator.Hosting;

/// <summary>The app sidecars of one emulator, by app-id: what service invocation and delivery look up.</summary>
public sealed class EmulatedApps
{
    private readonly ConcurrentDictionary<string, AppSidecar> _byAppId = new(StringComparer.Ordinal);

    public IEnumerable<AppSidecar> All => _byAppId.Values;

    public AppSidecar? Find(string appId) => _byAppId.GetValueOrDefault(appId);

    internal void Add(AppSidecar sidecar)
    {
        if (!_byAppId.TryAdd(sidecar.AppId, sidecar))
        {
            throw new InvalidOperationException($"app-id '{sidecar.AppId}' is declared twice");
        }
    }
}
