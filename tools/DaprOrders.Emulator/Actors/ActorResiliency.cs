using DaprOrders.Emulator.Resiliency;

namespace DaprOrders.Emulator.Actors;

/// <summary>
/// targets.actors.&lt;type&gt; (else DefaultActor*/Default* policies) around actor turns. daprd applies retry and circuit
/// breaker before taking the actor's lock and the timeout only to the app call after it (wire notes section 5.4), so
/// the timeout is handed to the call instead of wrapping the whole attempt.
/// </summary>
public sealed class ActorResiliency(ResiliencyPolicies policies, EmulatorClock clock, EmulatorOptions options)
{
    /// <exception cref="ActorInvocationException">The last attempt failed (or the circuit breaker is open).</exception>
    public async Task<ActorCallResult> ExecuteAsync(
        string callerAppId,
        string actorType,
        string actorId,
        Func<TimeSpan?, CancellationToken, Task<ActorCallResult>> turn,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var configured = policies.ForActor(callerAppId, actorType, actorId).Policy;
        var pipeline = new ResiliencyPipeline(configured with { Timeout = null }, clock, Jitter);
        var outcome = await pipeline.ExecuteAsync<ActorCallResult>(
            async token =>
            {
                try
                {
                    return Attempt<ActorCallResult>.Succeeded(await turn(configured.Timeout, token));
                }
                catch (ActorInvocationException ex) when (ex.IsPermanent)
                {
                    return Attempt<ActorCallResult>.Stopped(ex.Response, ex.Response?.StatusCode, ex);
                }
                catch (ActorInvocationException ex)
                {
                    return Attempt<ActorCallResult>.Failed(ex.Response, ex.Response?.StatusCode, ex);
                }
            },
            cancellationToken);

        return outcome.Outcome == AttemptOutcome.Success
            ? outcome.Value!
            : throw outcome.Error as ActorInvocationException
              ?? new ActorInvocationException(outcome.Error?.Message ?? "actor call failed", outcome.Value, outcome.Error);
    }

    private double Jitter() => options.DisableRetryJitter ? 0.5 : Random.Shared.NextDouble();
}
