using DaprOrders.Emulator.Resources;

namespace DaprOrders.Emulator.Resiliency;

public enum AttemptOutcome
{
    /// <summary>Done, nothing to retry.</summary>
    Success,

    /// <summary>Failed and must not be retried (e.g. pub/sub DROP, circuit open).</summary>
    Permanent,

    /// <summary>Failed; the retry policy decides.</summary>
    Retriable,
}

/// <summary>The result of one attempt (or of the whole pipeline: its last attempt).</summary>
/// <param name="HttpStatusCode">Status the failure carries, for matching.httpStatusCodes; null for errors without one.</param>
public readonly record struct Attempt<T>(AttemptOutcome Outcome, T? Value = default, int? HttpStatusCode = null, Exception? Error = null, int Attempts = 1)
{
    public static Attempt<T> Succeeded(T value) => new(AttemptOutcome.Success, value);

    public static Attempt<T> Failed(T? value, int? statusCode = null, Exception? error = null) =>
        new(AttemptOutcome.Retriable, value, statusCode, error);

    public static Attempt<T> Stopped(T? value, int? statusCode = null, Exception? error = null) =>
        new(AttemptOutcome.Permanent, value, statusCode, error);
}

/// <summary>The policies that apply to one call target, resolved from the Resiliency resources.</summary>
public sealed record ResolvedResiliency(TimeSpan? Timeout, RetryPolicy? Retry, CircuitBreaker? CircuitBreaker)
{
    public static readonly ResolvedResiliency None = new(null, null, null);
}

/// <summary>
/// daprd's resiliency wrapping: retry( circuitBreaker( timeout( call ))). Every wait uses the emulator's
/// <see cref="EmulatorClock"/>, so a FakeTimeProvider drives retries and timeouts in tests.
/// </summary>
public sealed class ResiliencyPipeline(ResolvedResiliency policy, EmulatorClock clock, Func<double> random, Action<bool>? waitObserver = null)
{
    private readonly TimeProvider _time = clock.Time;

    public ResolvedResiliency Policy { get; } = policy;

    /// <param name="onRetryWait">Called with true when a retry delay starts (its timer already registered) and false when it ends.</param>
    public async Task<Attempt<T>> ExecuteAsync<T>(
        Func<CancellationToken, Task<Attempt<T>>> attempt,
        CancellationToken cancellationToken,
        Action<bool>? onRetryWait = null)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var started = _time.GetUtcNow();
        var retries = 0;
        var interval = RetryPolicy.ExponentialInitialInterval;
        while (true)
        {
            var result = await AttemptOnceAsync(attempt, cancellationToken);
            result = result with { Attempts = retries + 1 };
            if (result.Outcome != AttemptOutcome.Retriable || Policy.Retry is not { } retry)
            {
                return result;
            }

            // matching.httpStatusCodes filters only failures that carry a status code.
            if (result.HttpStatusCode is { } status && retry.RetryOnHttpStatus is { } retryOn && !retryOn.Contains(status))
            {
                return result;
            }

            if (retry.MaxRetries >= 0 && retries >= retry.MaxRetries)
            {
                return result;
            }

            TimeSpan delay;
            if (retry.Backoff == RetryBackoff.Constant)
            {
                delay = retry.Duration;
            }
            else
            {
                if (_time.GetUtcNow() - started > RetryPolicy.ExponentialMaxElapsedTime)
                {
                    return result;
                }

                delay = Randomize(interval);
                var next = interval * RetryPolicy.ExponentialMultiplier;
                interval = next > retry.MaxInterval ? retry.MaxInterval : next;
            }

            retries++;
            // Counted as work the clock released from its wake until the observers saw the wait end (a delivery's
            // counters then take over), so a test advancing the clock cannot read between the two.
            using (clock.BeginWork())
            {
                var wait = clock.DelayAsync(delay, cancellationToken);
                waitObserver?.Invoke(true);
                onRetryWait?.Invoke(true);
                try
                {
                    await wait;
                }
                finally
                {
                    onRetryWait?.Invoke(false);
                    waitObserver?.Invoke(false);
                }
            }
        }
    }

    private async Task<Attempt<T>> AttemptOnceAsync<T>(Func<CancellationToken, Task<Attempt<T>>> attempt, CancellationToken cancellationToken)
    {
        var breaker = Policy.CircuitBreaker;
        if (breaker is not null && !breaker.TryEnter())
        {
            return Attempt<T>.Stopped(default, error: new CircuitBreakerOpenException(breaker.Policy.Name));
        }

        Attempt<T> result;
        using var timeout = Policy.Timeout is { } limit ? new CancellationTokenSource(limit, _time) : null;
        using var linked = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            result = await attempt(linked?.Token ?? cancellationToken);
        }
        catch (OperationCanceledException ex) when (timeout?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
        {
            result = Attempt<T>.Failed(default, error: new TimeoutException($"timeout after {Policy.Timeout}", ex));
        }
        catch (HttpRequestException ex)
        {
            result = Attempt<T>.Failed(default, error: ex);
        }

        if (breaker is not null)
        {
            if (result.Outcome == AttemptOutcome.Success)
            {
                breaker.RecordSuccess();
            }
            else
            {
                breaker.RecordFailure();
            }
        }

        return result;
    }

    private TimeSpan Randomize(TimeSpan interval)
    {
        // cenkalti/backoff: interval ± randomization × interval, uniformly.
        var delta = RetryPolicy.ExponentialRandomization * interval.TotalMilliseconds;
        var min = interval.TotalMilliseconds - delta;
        var max = interval.TotalMilliseconds + delta;
        return TimeSpan.FromMilliseconds(min + (random() * (max - min)));
    }
}

public sealed class CircuitBreakerOpenException(string breaker)
    : Exception($"circuit breaker {breaker} is open or has too many requests in half-open state")
{
    public string Breaker { get; } = breaker;
}
