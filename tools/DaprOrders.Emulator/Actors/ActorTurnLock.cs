namespace DaprOrders.Emulator.Actors;

/// <summary>Reentrant calls nested deeper than the type's maxStackDepth (daprd: 500 ERR_ACTOR_STACK_DEPTH).</summary>
public sealed class ActorStackDepthExceededException(int maxStackDepth)
    : Exception($"maximum stack depth exceeded: {maxStackDepth}");

/// <summary>The actor was deactivated while a call waited for or held its lock (daprd: a "closed" target, which the router retries on a fresh activation).</summary>
public sealed class ActorClosedException() : Exception("actor is closed");

/// <summary>
/// daprd's per-actor lock (wire notes section 5.4): one turn at a time, granted in arrival order, across method
/// calls, reminders, timers and deactivation. With reentrancy, a call carrying the reentrancy id of the turn in
/// progress enters at once instead of queueing behind itself.
/// </summary>
internal sealed class ActorTurnLock
{
    private readonly Lock _lock = new();
    private readonly Queue<(TaskCompletionSource Granted, string? ReentrancyId)> _waiting = new();
    private readonly CancellationTokenSource _closing = new();
    private bool _held;
    private bool _closed;
    private string? _reentrancyId;
    private int _depth;

    /// <summary>The turn in progress plus the ones queued.</summary>
    public int Pending
    {
        get
        {
            lock (_lock)
            {
                return (_held ? 1 : 0) + _waiting.Count(w => !w.Granted.Task.IsCompleted);
            }
        }
    }

    /// <summary>Cancelled when the lock closes: the turn in progress is cut off (daprd cancels its context).</summary>
    public CancellationToken Closing => _closing.Token;

    /// <exception cref="ActorClosedException">The lock closed (the actor was deactivated) before the turn started.</exception>
    public async Task<IDisposable> EnterAsync(string? reentrancyId, int maxStackDepth, CancellationToken cancellationToken)
    {
        TaskCompletionSource granted;
        lock (_lock)
        {
            if (_closed)
            {
                throw new ActorClosedException();
            }

            if (!_held)
            {
                _held = true;
                _reentrancyId = reentrancyId;
                return new Turn(this, reentrant: false);
            }

            if (reentrancyId is not null && reentrancyId == _reentrancyId)
            {
                if (_depth + 1 >= maxStackDepth)
                {
                    throw new ActorStackDepthExceededException(maxStackDepth);
                }

                _depth++;
                return new Turn(this, reentrant: true);
            }

            granted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Enqueue((granted, reentrancyId));
        }

        await using (cancellationToken.Register(() => granted.TrySetCanceled(cancellationToken)))
        {
            await granted.Task;
        }

        return new Turn(this, reentrant: false);
    }

    /// <summary>
    /// Deactivation (dapr/dapr v1.17.13 pkg/actors/targets/app/lock/lock.go <c>Close</c>): queued calls fail as closed
    /// and the turn in progress is cancelled; the lock never opens again.
    /// </summary>
    public void Close()
    {
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            while (_waiting.TryDequeue(out var next))
            {
                next.Granted.TrySetException(new ActorClosedException());
            }
        }

        _closing.Cancel();
    }

    private void Exit(bool reentrant)
    {
        lock (_lock)
        {
            if (reentrant)
            {
                _depth--;
                return;
            }

            // Hand the lock straight to the next live waiter so nobody can overtake the queue.
            while (_waiting.TryDequeue(out var next))
            {
                if (next.Granted.TrySetResult())
                {
                    _reentrancyId = next.ReentrancyId;
                    return;
                }
            }

            _held = false;
            _reentrancyId = null;
        }
    }

    private sealed class Turn(ActorTurnLock owner, bool reentrant) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Exit(reentrant);
            }
        }
    }
}
