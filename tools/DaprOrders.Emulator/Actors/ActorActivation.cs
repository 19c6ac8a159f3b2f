namespace DaprOrders.Emulator.Actors;

/// <summary>
/// One activated actor: its turn lock and its idle clock. As daprd (dapr/dapr v1.17.13
/// pkg/actors/targets/app/app.go: <c>idleAt</c> is set when a turn takes the lock), the actor becomes idle
/// actorIdleTimeout after the last turn <em>started</em>, whether that turn has ended or not, and whatever waits for
/// the lock; deactivation then closes the lock.
/// </summary>
internal sealed class ActorActivation
{
    private readonly ActorRuntime _runtime;
    private readonly EmulatorClock.ClockTimer _idleTimer;
    private DateTimeOffset _idleAt;
    private volatile bool _deactivated;

    public ActorActivation(ActorAddress address, ActorHost host, ActorRuntime runtime)
    {
        Address = address;
        Host = host;
        _runtime = runtime;
        _idleAt = runtime.Time.GetUtcNow() + IdleTimeout;
        // Armed by the first turn: creating an activation happens under the runtime's lock, where no timer may fire.
        _idleTimer = runtime.Clock.CreateTimer(OnIdleTimerAsync);
    }

    public ActorAddress Address { get; }

    public ActorHost Host { get; }

    public ActorTurnLock Lock { get; } = new();

    public bool IsDeactivated => _deactivated;

    private TimeSpan IdleTimeout => Host.Settings.IdleTimeout;

    /// <summary>A turn took the lock: the actor is idle actorIdleTimeout from now.</summary>
    public void TurnStarted()
    {
        _idleAt = _runtime.Time.GetUtcNow() + IdleTimeout;
        if (!_deactivated)
        {
            _idleTimer.Change(IdleTimeout);
        }
    }

    public void MarkDeactivated()
    {
        _deactivated = true;
        _idleTimer.Dispose();
    }

    private Task OnIdleTimerAsync()
    {
        if (_deactivated)
        {
            return Task.CompletedTask;
        }

        var remaining = _idleAt - _runtime.Time.GetUtcNow();
        if (remaining > TimeSpan.Zero)
        {
            // A later turn moved idleAt while this fire was on its way.
            _idleTimer.Change(remaining);
            return Task.CompletedTask;
        }

        return _runtime.DeactivateIdleAsync(this);
    }
}
