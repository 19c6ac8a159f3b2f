using System.Collections.Concurrent;

namespace DaprOrders.Emulator;

/// <summary>
/// The emulator's clock and the work it releases. Waits on the clock (<see cref="DelayAsync"/>) and timers
/// (<see cref="CreateTimer"/>) are tracked from the moment the clock passes them until the work they release has run or
/// sleeps on the clock again, so a test that advances a fake clock can wait for that work
/// (<see cref="DaprEmulator.AdvanceClockAsync"/>) instead of racing it: a fake clock's Advance returns as soon as it
/// has fired the timers, while their continuations still run on the thread pool.
/// </summary>
public sealed class EmulatorClock(TimeProvider time)
{
    private static readonly AsyncLocal<Work?> Current = new();
    private readonly ConcurrentDictionary<Wake, byte> _wakes = new();
    private int _running;

    public TimeProvider Time => time;

    /// <summary>Work the clock released (a timer's callback, a wait's continuation) that has neither finished nor gone back to sleep on the clock.</summary>
    public bool HasReleasedWork => Volatile.Read(ref _running) > 0 || _wakes.Keys.Any(w => w.Fired);

    /// <summary>
    /// Marks the calling flow as running released work until disposed. Waits inside it (<see cref="DelayAsync"/>) do
    /// not count as running, and resume as running again before their wake stops counting.
    /// </summary>
    public IDisposable BeginWork()
    {
        var work = new Work(this, Current.Value);
        Current.Value = work;
        Interlocked.Increment(ref _running);
        return work;
    }

    /// <summary>Like Task.Delay on the emulator's clock, but tracked: a passed wait counts as released work until it resumed.</summary>
    public async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var wake = new Wake();
        _wakes.TryAdd(wake, 0);
        var sleeping = Current.Value;
        sleeping?.Suspend();
        try
        {
            using (time.CreateTimer(static state => ((Wake)state!).Fire(), wake, delay, Timeout.InfiniteTimeSpan))
            await using (cancellationToken.Register(static state => ((Wake)state!).Cancel(), wake))
            {
                await wake.Task.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            // Running again before the wake stops counting: "released work" never drops to zero in between.
            sleeping?.Resume();
            _wakes.TryRemove(wake, out _);
        }
    }

    /// <summary>
    /// A one-shot timer (re-armed with <see cref="ClockTimer.Change"/>) whose callback starts released work: it runs
    /// under <see cref="BeginWork"/> until the task it returns completes.
    /// </summary>
    public ClockTimer CreateTimer(Func<Task> onDue) => new(this, onDue);

    private void RunReleased(Func<Task> onDue)
    {
        Task task;
        var previous = Current.Value;
        var work = BeginWork();
        try
        {
            task = onDue();
        }
        catch
        {
            work.Dispose();
            throw;
        }
        finally
        {
            // The callback may run on the thread that advanced the clock: leave its flow as it was.
            Current.Value = previous;
        }

        _ = task.ContinueWith(static (_, state) => ((IDisposable)state!).Dispose(), work, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>A one-shot timer on the emulator's clock whose fires are tracked as released work.</summary>
    public sealed class ClockTimer : IDisposable
    {
        private readonly ITimer _timer;

        internal ClockTimer(EmulatorClock clock, Func<Task> onDue) =>
            _timer = clock.Time.CreateTimer(_ => clock.RunReleased(onDue), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        /// <summary>Fires once after <paramref name="dueIn"/> (at once when not positive); replaces any earlier arming.</summary>
        public void Change(TimeSpan dueIn) => _timer.Change(dueIn > TimeSpan.Zero ? dueIn : TimeSpan.Zero, Timeout.InfiniteTimeSpan);

        public void Dispose() => _timer.Dispose();
    }

    private sealed class Wake
    {
        private readonly TaskCompletionSource _fired = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _isFired;

        public bool Fired => _isFired;

        public Task Task => _fired.Task;

        public void Fire()
        {
            _isFired = true;
            _fired.TrySetResult();
        }

        public void Cancel() => _fired.TrySetCanceled();
    }

    private sealed class Work(EmulatorClock clock, Work? parent) : IDisposable
    {
        private int _disposed;

        // A wait inside nested work suspends the whole chain: none of it runs while the flow sleeps on the clock.
        public void Suspend()
        {
            for (var work = this; work is not null; work = work.Parent)
            {
                Interlocked.Decrement(ref clock._running);
            }
        }

        public void Resume()
        {
            for (var work = this; work is not null; work = work.Parent)
            {
                Interlocked.Increment(ref clock._running);
            }
        }

        private Work? Parent => parent;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref clock._running);
                if (Current.Value == this)
                {
                    Current.Value = parent;
                }
            }
        }
    }
}
