using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace DaprOrders.Sidecar.Actors;

/// <summary>
/// Activations and turns. daprd already serialises calls per actor id, but the host enforces one turn at a time per
/// id itself too, so tests, emulators and misbehaving callers cannot run two turns of one actor concurrently.
/// </summary>
internal sealed partial class ActorHost(
    DaprActorsOptions options,
    IServiceProvider services,
    DaprSidecarClient sidecar,
    IOptions<HttpJsonOptions> jsonOptions,
    ILogger<ActorHost> logger)
{
    private readonly ConcurrentDictionary<(string Type, string Id), Activation> _activations = new();

    public DaprActorsOptions Options => options;

    public JsonSerializerOptions JsonOptions => jsonOptions.Value.SerializerOptions;

    public bool TryGetActorType(string actorType, out ActorTypeInfo typeInfo) =>
        options.ActorTypes.TryGetValue(actorType, out typeInfo!);

    /// <summary>Number of active instances (for tests and diagnostics).</summary>
    public int ActiveCount => _activations.Count;

    /// <summary>Callers queued behind a running turn of this actor (for tests and diagnostics).</summary>
    public int QueuedTurns(string actorType, string actorId) =>
        _activations.TryGetValue((actorType, actorId), out var activation) ? Volatile.Read(ref activation.Queued) : 0;

    /// <summary>
    /// Runs <paramref name="work"/> as one turn: activates on first use, then saves the turn's state changes in one
    /// transaction. On failure the state cache is cleared and nothing is saved.
    /// </summary>
    public async Task<T> RunTurnAsync<T>(ActorTypeInfo actorType, string actorId, string? reentrancyId,
        Func<Actor, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        while (true)
        {
            var activation = _activations.GetOrAdd((actorType.Name, actorId), _ => new Activation());

            if (options.Reentrancy.Enabled && reentrancyId is not null && activation.ReentrancyId == reentrancyId)
            {
                // Same call chain re-entering (daprd checked the stack depth): run inside the current turn.
                return await RunActivatedAsync(activation, actorType, actorId, work, cancellationToken);
            }

            Interlocked.Increment(ref activation.Queued);
            try
            {
                await activation.Turn.WaitAsync(cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref activation.Queued);
            }

            try
            {
                if (activation.Deactivated)
                {
                    continue; // deactivated while we queued: start over with a fresh activation
                }

                activation.ReentrancyId = options.Reentrancy.Enabled ? reentrancyId : null;
                ActorTurnContext.CurrentReentrancyId = activation.ReentrancyId;
                if (activation.Instance is null)
                {
                    await ActivateAsync(activation, actorType, actorId, cancellationToken);
                }

                return await RunActivatedAsync(activation, actorType, actorId, work, cancellationToken);
            }
            finally
            {
                activation.ReentrancyId = null;
                ActorTurnContext.CurrentReentrancyId = null;
                activation.Turn.Release();
            }
        }
    }

    /// <summary>Deactivates after the running turn (if any) finished; false when the actor was not active.</summary>
    public async Task<bool> DeactivateAsync(string actorType, string actorId, CancellationToken cancellationToken)
    {
        if (!_activations.TryGetValue((actorType, actorId), out var activation))
        {
            return false;
        }

        await activation.Turn.WaitAsync(cancellationToken);
        try
        {
            if (activation.Deactivated)
            {
                return false;
            }

            activation.Deactivated = true;
            _activations.TryRemove(new KeyValuePair<(string, string), Activation>((actorType, actorId), activation));
            if (activation.Instance is { } actor)
            {
                try
                {
                    await actor.DeactivateAsync();
                }
#pragma warning disable CA1031 // a failing OnDeactivateAsync must not keep the instance alive
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogDeactivationFailed(logger, actorType, actorId, ex);
                }
            }

            await DisposeScopeAsync(activation);
            LogDeactivated(logger, actorType, actorId);
            return true;
        }
        finally
        {
            activation.Turn.Release();
        }
    }

    private async Task ActivateAsync(Activation activation, ActorTypeInfo actorType, string actorId, CancellationToken cancellationToken)
    {
        var scope = services.CreateAsyncScope();
        try
        {
            var actor = (Actor)ActivatorUtilities.CreateInstance(scope.ServiceProvider, actorType.ClrType);
            var state = new ActorStateManager(sidecar, actorType.Name, actorId, JsonOptions);
            actor.Attach(actorType.Name, actorId, sidecar, state);
            await actor.ActivateAsync();
            await state.SaveAsync(cancellationToken);
            activation.Scope = scope;
            activation.State = state;
            activation.Instance = actor;
            LogActivated(logger, actorType.Name, actorId);
        }
        catch
        {
            activation.Deactivated = true;
            _activations.TryRemove(new KeyValuePair<(string, string), Activation>((actorType.Name, actorId), activation));
            await scope.DisposeAsync();
            throw;
        }
    }

    private static async Task<T> RunActivatedAsync<T>(Activation activation, ActorTypeInfo actorType, string actorId,
        Func<Actor, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var actor = activation.Instance ?? throw new InvalidOperationException($"Actor {actorType.Name}/{actorId} is not active.");
        var state = activation.State!;
        try
        {
            var result = await work(actor, cancellationToken);
            await state.SaveAsync(cancellationToken);
            return result;
        }
        catch
        {
            state.ClearCache();
            throw;
        }
    }

    private static async Task DisposeScopeAsync(Activation activation)
    {
        if (activation.Scope is { } scope)
        {
            await scope.DisposeAsync();
        }
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Debug, Message = "Activated actor {ActorType}/{ActorId}")]
    private static partial void LogActivated(ILogger logger, string actorType, string actorId);

    [LoggerMessage(EventId = 31, Level = LogLevel.Debug, Message = "Deactivated actor {ActorType}/{ActorId}")]
    private static partial void LogDeactivated(ILogger logger, string actorType, string actorId);

    [LoggerMessage(EventId = 32, Level = LogLevel.Warning, Message = "OnDeactivateAsync of actor {ActorType}/{ActorId} failed")]
    private static partial void LogDeactivationFailed(ILogger logger, string actorType, string actorId, Exception exception);

    private sealed class Activation
    {
        public readonly SemaphoreSlim Turn = new(1, 1);
        public int Queued;
        public volatile bool Deactivated;
        public string? ReentrancyId;
        public Actor? Instance;
        public ActorStateManager? State;
        public AsyncServiceScope? Scope;
    }
}
