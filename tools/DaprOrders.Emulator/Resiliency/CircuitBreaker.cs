using DaprOrders.Emulator.Resources;

namespace DaprOrders.Emulator.Resiliency;

/// <summary>
/// A circuit breaker with daprd's (gobreaker) semantics: closed → open when "consecutiveFailures &gt; N" trips,
/// open → half-open after timeout, half-open admits maxRequests probes and closes after that many successes.
/// </summary>
public sealed class CircuitBreaker(CircuitBreakerPolicy policy, TimeProvider timeProvider)
{
    private readonly Lock _lock = new();
    private CircuitState _state = CircuitState.Closed;
    private int _consecutiveFailures;
    private int _consecutiveSuccesses;
    private int _halfOpenRequests;
    private DateTimeOffset _expiry = DateTimeOffset.MaxValue;

    public CircuitBreakerPolicy Policy { get; } = policy;

    public CircuitState State
    {
        get
        {
            lock (_lock)
            {
                return CurrentState(timeProvider.GetUtcNow());
            }
        }
    }

    /// <summary>Reserves a call; false when the breaker is open or half-open with all probes taken (a permanent error).</summary>
    public bool TryEnter()
    {
        lock (_lock)
        {
            var state = CurrentState(timeProvider.GetUtcNow());
            if (state == CircuitState.Open)
            {
                return false;
            }

            if (state == CircuitState.HalfOpen)
            {
                if (_halfOpenRequests >= Math.Max(1, Policy.MaxRequests))
                {
                    return false;
                }

                _halfOpenRequests++;
            }

            return true;
        }
    }

    public void RecordSuccess()
    {
        lock (_lock)
        {
            var state = CurrentState(timeProvider.GetUtcNow());
            _consecutiveFailures = 0;
            _consecutiveSuccesses++;
            if (state == CircuitState.HalfOpen && _consecutiveSuccesses >= Math.Max(1, Policy.MaxRequests))
            {
                ToState(CircuitState.Closed, timeProvider.GetUtcNow());
            }
        }
    }

    public void RecordFailure()
    {
        lock (_lock)
        {
            var now = timeProvider.GetUtcNow();
            var state = CurrentState(now);
            _consecutiveSuccesses = 0;
            _consecutiveFailures++;
            if (state == CircuitState.HalfOpen || (state == CircuitState.Closed && _consecutiveFailures > Policy.TripAfterConsecutiveFailures))
            {
                ToState(CircuitState.Open, now);
            }
        }
    }

    private CircuitState CurrentState(DateTimeOffset now)
    {
        if (_state == CircuitState.Closed && _expiry <= now)
        {
            // interval elapsed: counts reset (a new generation).
            ToState(CircuitState.Closed, now);
        }
        else if (_state == CircuitState.Open && _expiry <= now)
        {
            ToState(CircuitState.HalfOpen, now);
        }

        return _state;
    }

    private void ToState(CircuitState state, DateTimeOffset now)
    {
        _state = state;
        _consecutiveFailures = 0;
        _consecutiveSuccesses = 0;
        _halfOpenRequests = 0;
        _expiry = state switch
        {
            CircuitState.Open => now + Policy.Timeout,
            CircuitState.Closed when Policy.Interval > TimeSpan.Zero => now + Policy.Interval,
            _ => DateTimeOffset.MaxValue,
        };
    }
}

public enum CircuitState
{
    Closed,
    HalfOpen,
    Open,
}
