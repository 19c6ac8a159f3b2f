using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Emulator.Actors;

/// <summary>A timer as registered through POST /v1.0/actors/{type}/{id}/timers/{name}; strings kept as given.</summary>
/// <param name="Data">The registered data as raw JSON, or null when none was given.</param>
public sealed record ActorTimerRegistration(
    string Name,
    string Callback,
    string? Data,
    string DueTime,
    string Period,
    string Ttl,
    ActorSchedule Schedule)
{
    /// <summary>
    /// The fire body daprd sends to PUT /actors/{type}/{id}/method/timer/{name}:
    /// {"callback","data","dueTime","period"} as registered (wire notes section 5.2), Go's sorted key order.
    /// </summary>
    public ActorCall ToCall()
    {
        var body = new StringBuilder("{\"callback\":").Append(JsonSerializer.Serialize(Callback));
        body.Append(",\"data\":").Append(Data ?? "null");
        body.Append(",\"dueTime\":").Append(JsonSerializer.Serialize(DueTime));
        body.Append(",\"period\":").Append(JsonSerializer.Serialize(Period)).Append('}');
        return new ActorCall($"method/timer/{Uri.EscapeDataString(Name)}", Encoding.UTF8.GetBytes(body.ToString()), "application/json");
    }
}

/// <summary>One scheduled timer: fires on the emulator clock, one fire at a time, next fire computed after each.</summary>
internal sealed partial class ActorTimer : IDisposable
{
    private readonly ActorRuntime _runtime;
    private readonly EmulatorClock.ClockTimer _timer;
    private DateTimeOffset _scheduledAt;
    private int _fires;
    private volatile bool _disposed;

    public ActorTimer(ActorRuntime runtime, ActorHost host, ActorAddress address, ActorTimerRegistration registration)
    {
        _runtime = runtime;
        Host = host;
        Address = address;
        Registration = registration;
        _scheduledAt = registration.Schedule.DueAt;
        _timer = runtime.Clock.CreateTimer(FireAsync);
    }

    public ActorHost Host { get; }

    public ActorAddress Address { get; }

    public ActorTimerRegistration Registration { get; }

    public void Start() => Arm();

    private void Arm()
    {
        if (_disposed)
        {
            return;
        }

        _timer.Change(_scheduledAt - _runtime.Time.GetUtcNow());
    }

    private async Task FireAsync()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            await _runtime.FireTimerAsync(this);
        }
#pragma warning disable CA1031 // A timer's failure must not take the emulator down; it is logged and the schedule goes on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFireFailed(_runtime.Logger, ex, Registration.Name, Address);
        }

        _fires++;
        if (Registration.Schedule.NextAfter(_scheduledAt, _fires) is { } next)
        {
            _scheduledAt = next;
            Arm();
        }
        else
        {
            _runtime.TimerFinished(this);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _timer.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Timer {Timer} of actor {Actor} failed unexpectedly")]
    private static partial void LogFireFailed(ILogger logger, Exception exception, string timer, ActorAddress actor);
}
