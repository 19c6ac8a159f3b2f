using System.Net.Http.Headers;
using DaprOrders.Emulator.Diagnostics;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Emulator.Actors;

/// <summary>
/// The hosting side of daprd's actor runtime: activations per (host app, type, id), one turn at a time per actor,
/// idle deactivation and timers, all on the emulator's <see cref="TimeProvider"/>.
/// </summary>
public sealed partial class ActorRuntime : IAsyncDisposable
{
    // Request headers daprd does not pass on to the app: connection-level ones, and the caller's API token.
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Proxy-Connection",
        "Content-Length", "Content-Type", "dapr-api-token", "Expect",
    };

    private readonly Lock _lock = new();
    private readonly Dictionary<ActorAddress, ActorActivation> _activations = [];
    private readonly Dictionary<(ActorAddress Actor, string Name), ActorTimer> _timers = [];
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();

    public ActorRuntime(ActorPlacement placement, EmulatorClock clock, ILogger<ActorRuntime> logger)
    {
        Placement = placement;
        Clock = clock;
        _logger = logger;
    }

    public ActorPlacement Placement { get; }

    /// <summary>True while the actor is activated on <paramref name="hostAppId"/> (called, reminded or timed, not yet deactivated).</summary>
    public bool IsActive(string hostAppId, string actorType, string actorId)
    {
        lock (_lock)
        {
            return _activations.ContainsKey(new ActorAddress(hostAppId, actorType, actorId));
        }
    }

    /// <summary>The turn in progress plus the turns queued for one actor (0 when it is not active).</summary>
    public int PendingTurns(ActorAddress address)
    {
        lock (_lock)
        {
            return _activations.TryGetValue(address, out var activation) ? activation.Lock.Pending : 0;
        }
    }

    /// <summary>Active actors per type on one hosting app.</summary>
    public IReadOnlyDictionary<string, int> ActiveCounts(string hostAppId)
    {
        lock (_lock)
        {
            return _activations.Keys.Where(a => a.HostAppId == hostAppId)
                .GroupBy(a => a.ActorType, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// Runs one turn on the actor: activates it if needed, waits for its lock, and sends the call to the hosting app
    /// with PUT. <paramref name="timeout"/> bounds the app call only (after the lock), as daprd's actor timeout policy does.
    /// </summary>
    /// <exception cref="ActorInvocationException">The app answered non-200, could not be reached, or timed out.</exception>
    public async Task<ActorCallResult> InvokeAsync(ActorHost host, string actorId, ActorCall call, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(call);
        var address = new ActorAddress(host.AppId, host.Settings.ActorType, actorId);
        var reentrancyId = host.Settings.ReentrancyEnabled ? call.ReentrancyId ?? Guid.NewGuid().ToString() : null;
        while (true)
        {
            var activation = GetOrActivate(host, address);
            IDisposable turn;
            try
            {
                turn = await activation.Lock.EnterAsync(reentrancyId, host.Settings.MaxStackDepth, cancellationToken);
            }
            catch (ActorClosedException)
            {
                // Deactivated while this call queued: daprd's router retries a closed target on a fresh activation
                // (dapr/dapr v1.17.13 pkg/actors/router/router.go).
                continue;
            }

            using (turn)
            {
                if (activation.IsDeactivated)
                {
                    continue;
                }

                activation.TurnStarted();
                using var turnToken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, activation.Lock.Closing);
                try
                {
                    return await SendAsync(host, address, call, reentrancyId, timeout, turnToken.Token);
                }
                catch (OperationCanceledException ex) when (activation.Lock.Closing.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    // Deactivation cancelled this turn's context: the app call is cut off and the caller gets the error.
                    throw new ActorInvocationException($"error invoking actor {address}: context canceled (the actor was deactivated during the call)", innerException: ex);
                }
            }
        }
    }

    /// <summary>Deactivates the actor now, as an idle timeout does: the turn in progress is cancelled.</summary>
    public async Task<bool> DeactivateAsync(ActorAddress address)
    {
        ActorActivation? activation;
        lock (_lock)
        {
            activation = _activations.GetValueOrDefault(address);
        }

        return activation is not null && await DeactivateCoreAsync(activation);
    }

    /// <summary>Creates or replaces an actor timer (daprd keeps timers in memory; they die with the activation).</summary>
    public void CreateTimer(ActorHost host, string actorId, ActorTimerRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(registration);
        var address = new ActorAddress(host.AppId, host.Settings.ActorType, actorId);
        var timer = new ActorTimer(this, host, address, registration);
        lock (_lock)
        {
            if (_timers.Remove((address, registration.Name), out var replaced))
            {
                replaced.Dispose();
            }

            _timers[(address, registration.Name)] = timer;
        }

        timer.Start();
    }

    public void DeleteTimer(ActorAddress address, string name)
    {
        lock (_lock)
        {
            if (_timers.Remove((address, name), out var timer))
            {
                timer.Dispose();
            }
        }
    }

    public bool HasTimer(ActorAddress address, string name)
    {
        lock (_lock)
        {
            return _timers.ContainsKey((address, name));
        }
    }

    /// <summary>The app went away: drop its activations and timers without calling it (its reminders stay stored).</summary>
    public void DropApp(string hostAppId)
    {
        lock (_lock)
        {
            foreach (var (address, activation) in _activations.Where(p => p.Key.HostAppId == hostAppId).ToList())
            {
                activation.MarkDeactivated();
                _activations.Remove(address);
            }

            foreach (var key in _timers.Keys.Where(k => k.Actor.HostAppId == hostAppId).ToList())
            {
                _timers.Remove(key, out var timer);
                timer!.Dispose();
            }
        }
    }

    internal async Task FireTimerAsync(ActorTimer timer)
    {
        lock (_lock)
        {
            if (!_timers.TryGetValue((timer.Address, timer.Registration.Name), out var current) || current != timer)
            {
                return; // deleted or replaced meanwhile
            }
        }

        try
        {
            var result = await InvokeAsync(timer.Host, timer.Address.ActorId, timer.Registration.ToCall(), timeout: null, _stopping.Token);
            if (result.CancelsSchedule)
            {
                DeleteTimer(timer.Address, timer.Registration.Name);
            }
        }
        catch (ActorInvocationException ex)
        {
            LogTimerFailed(ex, timer.Registration.Name, timer.Address);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Emulator shutting down.
        }
    }

    internal void TimerFinished(ActorTimer timer)
    {
        lock (_lock)
        {
            if (_timers.TryGetValue((timer.Address, timer.Registration.Name), out var current) && current == timer)
            {
                _timers.Remove((timer.Address, timer.Registration.Name));
            }
        }

        timer.Dispose();
    }

    internal TimeProvider Time => Clock.Time;

    internal EmulatorClock Clock { get; }

    internal ILogger Logger => _logger;

    internal CancellationToken Stopping => _stopping.Token;

    private ActorActivation GetOrActivate(ActorHost host, ActorAddress address)
    {
        lock (_lock)
        {
            if (!_activations.TryGetValue(address, out var activation))
            {
                activation = new ActorActivation(address, host, this);
                _activations[address] = activation;
                LogActivated(address);
            }

            return activation;
        }
    }

    internal async Task DeactivateIdleAsync(ActorActivation activation) => await DeactivateCoreAsync(activation);

    /// <summary>
    /// dapr/dapr v1.17.13 pkg/actors/targets/app/app.go <c>Deactivate</c>: close the lock (queued calls move to a fresh
    /// activation, the turn in progress is cancelled), forget the activation and its timers, then tell the app.
    /// </summary>
    private async Task<bool> DeactivateCoreAsync(ActorActivation activation)
    {
        lock (_lock)
        {
            if (activation.IsDeactivated)
            {
                return false;
            }

            activation.MarkDeactivated();
            foreach (var key in _timers.Keys.Where(k => k.Actor == activation.Address).ToList())
            {
                _timers.Remove(key, out var timer);
                timer!.Dispose();
            }

            if (_activations.GetValueOrDefault(activation.Address) == activation)
            {
                _activations.Remove(activation.Address);
            }
        }

        activation.Lock.Close();
        try
        {
            await SendDeactivationAsync(activation, _stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Emulator shutting down.
        }

        return true;
    }

    private async Task SendDeactivationAsync(ActorActivation activation, CancellationToken cancellationToken)
    {
        var channel = activation.Host.Sidecar.AppChannel;
        if (channel is null)
        {
            return;
        }

        var address = activation.Address;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, $"/actors/{Uri.EscapeDataString(address.ActorType)}/{Uri.EscapeDataString(address.ActorId)}");
            activation.Host.Sidecar.Exchanges.CountDelivery(AppDelivery.ActorDeactivation);
            using var response = await channel.SendAsync(request, cancellationToken);
            if ((int)response.StatusCode != 200)
            {
                LogDeactivationRejected(address, (int)response.StatusCode);
            }
            else
            {
                LogDeactivated(address);
            }
        }
        catch (HttpRequestException ex)
        {
            LogDeactivationFailed(ex, address);
        }
    }

    private async Task<ActorCallResult> SendAsync(ActorHost host, ActorAddress address, ActorCall call, string? reentrancyId, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var channel = host.Sidecar.AppChannel
            ?? throw new ActorInvocationException($"app {host.AppId} hosts actor type {address.ActorType} but has no app port");

        using var request = new HttpRequestMessage(
            HttpMethod.Put,
            $"/actors/{Uri.EscapeDataString(address.ActorType)}/{Uri.EscapeDataString(address.ActorId)}/{call.Path}{call.QueryString}");
        request.Content = new ReadOnlyMemoryContent(call.Body);
        if (call.ContentType is { Length: > 0 } contentType && MediaTypeHeaderValue.TryParse(contentType, out var mediaType))
        {
            request.Content.Headers.ContentType = mediaType;
        }

        foreach (var (name, value) in call.Headers ?? [])
        {
            if (!NotForwarded.Contains(name) && !request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        if (reentrancyId is not null)
        {
            request.Headers.Remove("Dapr-Reentrancy-Id");
            request.Headers.TryAddWithoutValidation("Dapr-Reentrancy-Id", reentrancyId);
        }

        using var attempt = timeout is { } limit
            ? new CancellationTokenSource(limit, Clock.Time)
            : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(attempt.Token, cancellationToken);
        try
        {
            host.Sidecar.Exchanges.CountDelivery(call.Delivery);
            using var response = await channel.SendAsync(request, linked.Token);
            var body = await response.Content.ReadAsByteArrayAsync(linked.Token);
            var headers = response.Headers.Concat(response.Content.Headers)
                .Where(h => !NotForwarded.Contains(h.Key))
                .SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v)))
                .ToList();
            var result = new ActorCallResult((int)response.StatusCode, body, response.Content.Headers.ContentType?.ToString(), headers);
            return result.IsSuccess
                ? result
                : throw new ActorInvocationException(
                    $"error from actor service: ({result.StatusCode}) {System.Text.Encoding.UTF8.GetString(body)}", result);
        }
        catch (OperationCanceledException ex) when (attempt.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ActorInvocationException($"timeout waiting for actor {address} after {timeout}", innerException: ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ActorInvocationException($"error invoking app {host.AppId}: {ex.Message}", innerException: ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        lock (_lock)
        {
            foreach (var timer in _timers.Values)
            {
                timer.Dispose();
            }

            _timers.Clear();
            foreach (var activation in _activations.Values)
            {
                activation.MarkDeactivated();
            }

            _activations.Clear();
        }

        // _stopping stays undisposed: fires still in flight read its (cancelled) token.
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Actor {Actor} activated")]
    private partial void LogActivated(ActorAddress actor);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Actor {Actor} deactivated")]
    private partial void LogDeactivated(ActorAddress actor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deactivating actor {Actor}: the app answered {StatusCode}, expected 200")]
    private partial void LogDeactivationRejected(ActorAddress actor, int statusCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deactivating actor {Actor} failed")]
    private partial void LogDeactivationFailed(Exception exception, ActorAddress actor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Timer {Timer} of actor {Actor} failed")]
    private partial void LogTimerFailed(Exception exception, string timer, ActorAddress actor);
}
