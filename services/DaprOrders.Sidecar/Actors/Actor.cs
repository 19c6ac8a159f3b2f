using System.Text.Json;

namespace DaprOrders.Sidecar.Actors;

/// <summary>
/// Base class for actors hosted by <see cref="DaprActorsEndpointExtensions.MapDaprActors"/>. Instances are created
/// through DI (constructor injection works) on the first call for an id and dropped when daprd deactivates them.
/// Public instance methods returning Task/Task&lt;T&gt;/ValueTask/ValueTask&lt;T&gt; with at most one parameter
/// (plus an optional CancellationToken) are callable by their exact C# name.
/// </summary>
public abstract class Actor
{
    private DaprSidecarClient? _sidecar;
    private IActorStateManager? _stateManager;

    /// <summary>The actor type name registered with daprd.</summary>
    public string ActorType { get; private set; } = string.Empty;

    public string Id { get; private set; } = string.Empty;

    /// <summary>State of this actor; changes are saved in one transaction at the end of each successful turn.</summary>
    public IActorStateManager StateManager => _stateManager ?? throw NotAttached();

    /// <summary>Client for the local sidecar (e.g. to call other actors or publish).</summary>
    protected DaprSidecarClient Sidecar => _sidecar ?? throw NotAttached();

    internal void Attach(string actorType, string id, DaprSidecarClient sidecar, IActorStateManager stateManager)
    {
        ActorType = actorType;
        Id = id;
        _sidecar = sidecar;
        _stateManager = stateManager;
    }

    /// <summary>Runs in the activating turn, before the first method; state changes made here are saved.</summary>
    protected virtual Task OnActivateAsync() => Task.CompletedTask;

    /// <summary>Runs when daprd deactivates the actor (idle timeout, rebalancing, shutdown).</summary>
    protected virtual Task OnDeactivateAsync() => Task.CompletedTask;

    internal Task ActivateAsync() => OnActivateAsync();

    internal Task DeactivateAsync() => OnDeactivateAsync();

    /// <summary>Registers a durable reminder; the actor must implement <see cref="IRemindable"/>.</summary>
    protected Task RegisterReminderAsync(string reminderName, ActorReminderRegistration reminder, CancellationToken cancellationToken = default) =>
        Sidecar.RegisterActorReminderAsync(ActorType, Id, reminderName, reminder, cancellationToken);

    protected Task RegisterReminderAsync(string reminderName, JsonElement? data, DaprDuration dueTime, DaprDuration? period = null,
        CancellationToken cancellationToken = default) =>
        RegisterReminderAsync(reminderName, new ActorReminderRegistration { DueTime = dueTime, Period = period, Data = data }, cancellationToken);

    protected Task UnregisterReminderAsync(string reminderName, CancellationToken cancellationToken = default) =>
        Sidecar.UnregisterActorReminderAsync(ActorType, Id, reminderName, cancellationToken);

    /// <summary>Registers an in-memory timer that calls the actor method named <see cref="ActorTimerRegistration.Callback"/>.</summary>
    protected Task RegisterTimerAsync(string timerName, ActorTimerRegistration timer, CancellationToken cancellationToken = default) =>
        Sidecar.RegisterActorTimerAsync(ActorType, Id, timerName, timer, cancellationToken);

    protected Task RegisterTimerAsync(string timerName, string callback, JsonElement? data, DaprDuration dueTime, DaprDuration? period = null,
        CancellationToken cancellationToken = default) =>
        RegisterTimerAsync(timerName, new ActorTimerRegistration { Callback = callback, DueTime = dueTime, Period = period, Data = data },
            cancellationToken);

    protected Task UnregisterTimerAsync(string timerName, CancellationToken cancellationToken = default) =>
        Sidecar.UnregisterActorTimerAsync(ActorType, Id, timerName, cancellationToken);

    private InvalidOperationException NotAttached() =>
        new($"Actor {GetType().Name} is used outside the actor host; only the host may create actors.");
}

/// <summary>Implemented by actors that register reminders.</summary>
public interface IRemindable
{
    /// <summary><paramref name="data"/> is exactly the JSON given at registration (absent ⇒ null).</summary>
    Task ReceiveReminderAsync(string reminderName, JsonElement? data, CancellationToken cancellationToken);
}

/// <summary>Result of a lookup that may find nothing (a stored value may itself be null).</summary>
public readonly record struct ConditionalValue<T>(bool HasValue, T? Value);

/// <summary>
/// Actor state with per-activation caching. Reads load lazily from the sidecar; writes are buffered and saved in ONE
/// actor state transaction when the turn completes. If the turn throws, the cache is cleared and nothing is saved.
/// Values are serialized with the app's <c>Microsoft.AspNetCore.Http.Json.JsonOptions</c>.
/// </summary>
public interface IActorStateManager
{
    /// <summary>Throws <see cref="KeyNotFoundException"/> when the state does not exist.</summary>
    Task<T> GetStateAsync<T>(string stateName, CancellationToken cancellationToken = default);

    Task<ConditionalValue<T>> TryGetStateAsync<T>(string stateName, CancellationToken cancellationToken = default);

    Task SetStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default);

    /// <summary>Throws <see cref="KeyNotFoundException"/> when the state does not exist.</summary>
    Task RemoveStateAsync(string stateName, CancellationToken cancellationToken = default);

    Task<bool> TryRemoveStateAsync(string stateName, CancellationToken cancellationToken = default);

    Task<bool> ContainsStateAsync(string stateName, CancellationToken cancellationToken = default);

    Task<T> GetOrAddStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default);
}

/// <summary>The reentrancy id of the actor turn running on this async flow, forwarded on nested actor calls.</summary>
internal static class ActorTurnContext
{
    private static readonly AsyncLocal<string?> ReentrancyId = new();

    public static string? CurrentReentrancyId
    {
        get => ReentrancyId.Value;
        set => ReentrancyId.Value = value;
    }
}
