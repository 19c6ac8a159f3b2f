namespace DaprOrders.Emulator.Actors;

/// <summary>
/// One activated actor: its turn lock and its idle clock. daprd deactivates an actor once actorIdleTimeout passed
/// without a call, reminder or timer turn.
/// </summary>
internal sealed class ActorActivation
{
    private readonly ActorRuntime _runtime;
    private readonly ITimer _idleTimer;
    private DateTimeOffset _lastUsed;
    private volatile bool _deactivated;

    public ActorActivation(ActorAddress address, ActorHost host, ActorRuntime runtime)
    {
        Address = address;
        Host = host;
        _runtime = runtime;
        _lastUsed = runtime.Time.GetUtcNow();
        // Armed by the first Touch: creating an activation happens under the runtime's lock, where no timer may fire.
        _idleTimer = runtime.Time.CreateTimer(static state => ((ActorActivation)state!).OnIdleTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public ActorAddress Address { get; }

    public ActorHost Host { get; }

    public ActorTurnLock Lock { get; } = new();

    public bool IsDeactivated => _deactivated;

    private TimeSpan IdleTimeout => Host.Settings.IdleTimeout;

    /// <summary>A turn started or ended: the idle clock starts again.</summary>
    public void Touch()
    {
        _lastUsed = _runtime.Time.GetUtcNow();
        if (!_deactivated)
        {
            _idleTimer.Change(IdleTimeout, Timeout.InfiniteTimeSpan);
        }
    }

    public bool IsIdle() => _runtime.Time.GetUtcNow() - _lastUsed >= IdleTimeout;

    /// <summary>The idle timer fired but the actor was busy or used since: wait for the rest of the timeout.</summary>
    public void Rearm()
    {
        if (_deactivated)
        {
            return;
        }

        var remaining = IdleTimeout - (_runtime.Time.GetUtcNow() - _lastUsed);
        _idleTimer.Change(remaining > TimeSpan.Zero ? remaining : IdleTimeout, Timeout.InfiniteTimeSpan);
    }

    public void MarkDeactivated()
    {
        _deactivated = true;
        _idleTimer.Dispose();
    }

    private void OnIdleTimer()
    {
        if (!_deactivated)
        {
            _runtime.OnIdle(this);
        }
    }
}
