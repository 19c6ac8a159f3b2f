using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.Sidecar.Actors;

/// <summary>Actor types hosted by this app and the runtime settings reported to daprd in <c>GET /dapr/config</c>.</summary>
public sealed class DaprActorsOptions
{
    private readonly Dictionary<string, ActorTypeInfo> _actorTypes = new(StringComparer.Ordinal);

    /// <summary>daprd deactivates an actor after this much inactivity (daprd default 60 min).</summary>
    public TimeSpan ActorIdleTimeout { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>How long daprd waits for in-flight calls when rebalancing (daprd default 60 s in 1.15/1.16, 2 s in 1.17).</summary>
    public TimeSpan DrainOngoingCallTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public bool DrainRebalancedActors { get; set; } = true;

    public ActorReentrancyOptions Reentrancy { get; } = new();

    internal IReadOnlyDictionary<string, ActorTypeInfo> ActorTypes => _actorTypes;

    /// <summary>
    /// Hosts <typeparamref name="TActor"/> under <paramref name="actorTypeName"/> (default: the class name). The method
    /// table is built here, so an unsupported method signature fails at startup, not on the first call.
    /// </summary>
    public DaprActorsOptions RegisterActor<[DynamicallyAccessedMembers(ActorTypeInfo.ReflectedMembers)] TActor>(string? actorTypeName = null)
        where TActor : Actor
    {
        var name = string.IsNullOrWhiteSpace(actorTypeName) ? typeof(TActor).Name : actorTypeName;
        if (_actorTypes.ContainsKey(name))
        {
            throw new InvalidOperationException($"Actor type '{name}' is already registered.");
        }

        _actorTypes[name] = ActorTypeInfo.Create(name, typeof(TActor));
        return this;
    }
}

public sealed class ActorReentrancyOptions
{
    public bool Enabled { get; set; }

    /// <summary>Null leaves daprd's default (32).</summary>
    public int? MaxStackDepth { get; set; }
}

public static class DaprActorsServiceCollectionExtensions
{
    /// <summary>Registers the actor host (and <see cref="DaprSidecarClient"/>); map its routes with <c>app.MapDaprActors()</c>.</summary>
    public static IServiceCollection AddDaprActors(this IServiceCollection services, Action<DaprActorsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new DaprActorsOptions();
        configure(options);
        services.AddDaprSidecar();
        services.AddSingleton(options);
        services.AddSingleton<ActorHost>();
        return services;
    }
}
