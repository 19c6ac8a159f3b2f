using System.Text;
using System.Text.Json.Nodes;
using DaprOrders.Emulator.Resiliency;
using DaprOrders.Emulator.Resources;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Emulator.Actors;

/// <summary>A reminder as registered through POST /v1.0/actors/{type}/{id}/reminders/{name}.</summary>
/// <param name="Data">The registered data as raw JSON, or null when none was given.</param>
public sealed record ActorReminderRegistration(
    string AppId,
    string ActorType,
    string ActorId,
    string Name,
    string? Data,
    string DueTime,
    string Period,
    string Ttl,
    ActorSchedule Schedule)
{
    /// <summary>
    /// The fire body of a Scheduler-backed reminder: {"data":&lt;verbatim&gt;,"dueTime":"","period":""}, data left
    /// out when none was registered (wire notes section 5.2).
    /// </summary>
    public ActorCall ToCall()
    {
        var body = new StringBuilder("{");
        if (Data is not null)
        {
            body.Append("\"data\":").Append(Data).Append(',');
        }

        body.Append("\"dueTime\":\"\",\"period\":\"\"}");
        return new ActorCall($"method/remind/{Uri.EscapeDataString(Name)}", Encoding.UTF8.GetBytes(body.ToString()), "application/json");
    }

    /// <summary>GET reminder answer: {"actorID","actorType","data","dueTime","period","ttl"}, registered strings echoed.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject { ["actorID"] = ActorId, ["actorType"] = ActorType };
        if (Data is not null)
        {
            json["data"] = JsonNode.Parse(Data);
        }

        json["dueTime"] = DueTime;
        json["period"] = Period;
        if (Ttl.Length > 0)
        {
            json["ttl"] = Ttl;
        }

        return json;
    }
}

/// <summary>A reminder with the same name exists and overwrite was false (daprd: 409 ERR_ACTOR_REMINDER_ALREADY_EXISTS).</summary>
public sealed class ActorReminderExistsException(string name) : Exception($"reminder {name} already exists");

/// <summary>
/// Reminders as daprd 1.17 keeps them with the Scheduler: stored apart from activations, so they survive
/// deactivation and fire on whichever app hosts the type. Scheduling runs on the emulator's clock.
/// </summary>
public sealed partial class ActorReminders : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string AppId, string ActorType, string ActorId, string Name), ScheduledReminder> _reminders = [];
    /// <summary>
    /// The failure policy a reminder's job gets (go-etcd-cron internal/scheduler/builder.go <c>Parse</c>, as dapr
    /// v1.17.13 pins it: daprd sets none for actor reminders, so the default constant 1 s with 3 retries applies).
    /// </summary>
    internal static readonly RetryPolicy JobFailurePolicy =
        new("scheduler job failure policy", RetryBackoff.Constant, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 3, null);

    private readonly ActorRuntime _runtime;
    private readonly ResiliencyPolicies _policies;
    private readonly ILogger _logger;

    public ActorReminders(ActorRuntime runtime, ResiliencyPolicies policies, ILogger<ActorReminders> logger)
    {
        _runtime = runtime;
        _policies = policies;
        _logger = logger;
    }

    /// <exception cref="ActorReminderExistsException">The name is taken and <paramref name="overwrite"/> is false.</exception>
    public void Create(ActorReminderRegistration registration, bool overwrite)
    {
        ArgumentNullException.ThrowIfNull(registration);
        var key = Key(registration.AppId, registration.ActorType, registration.ActorId, registration.Name);
        var reminder = new ScheduledReminder(this, registration);
        lock (_lock)
        {
            if (_reminders.TryGetValue(key, out var existing))
            {
                if (!overwrite)
                {
                    throw new ActorReminderExistsException(registration.Name);
                }

                existing.Dispose();
            }

            _reminders[key] = reminder;
        }

        reminder.Arm();
    }

    public ActorReminderRegistration? Get(string appId, string actorType, string actorId, string name)
    {
        lock (_lock)
        {
            return _reminders.TryGetValue(Key(appId, actorType, actorId, name), out var reminder) ? reminder.Registration : null;
        }
    }

    public bool Delete(string appId, string actorType, string actorId, string name)
    {
        lock (_lock)
        {
            if (_reminders.Remove(Key(appId, actorType, actorId, name), out var reminder))
            {
                reminder.Dispose();
                return true;
            }

            return false;
        }
    }

    /// <summary>Every stored reminder, for tests and diagnostics.</summary>
    public IReadOnlyList<ActorReminderRegistration> All()
    {
        lock (_lock)
        {
            return _reminders.Values.Select(r => r.Registration).ToList();
        }
    }

    private static (string, string, string, string) Key(string appId, string actorType, string actorId, string name) =>
        (appId, actorType, actorId, name);

    private async Task FireAsync(ScheduledReminder reminder)
    {
        var registration = reminder.Registration;
        var host = _runtime.Placement.Lookup(registration.ActorType, registration.ActorId);
        if (host is null)
        {
            LogNoHost(registration.Name, registration.ActorType, registration.ActorId);
            return;
        }

        // daprd's router calls a reminder without the actor's retry and circuit breaker (dapr/dapr v1.17.13
        // pkg/actors/router/router.go CallReminder: every error is permanent there); only the post-lock timeout applies
        // (pkg/actors/targets/app/app.go). A failed fire is retried by the Scheduler job's failure policy instead.
        var timeout = _policies.ForActor(host.AppId, registration.ActorType, registration.ActorId).Policy.Timeout;
        var failurePolicy = new ResiliencyPipeline(new ResolvedResiliency(null, JobFailurePolicy, null), _runtime.Clock, static () => 0.5);
        try
        {
            var result = await failurePolicy.ExecuteAsync<ActorCallResult>(
                async token =>
                {
                    try
                    {
                        return Attempt<ActorCallResult>.Succeeded(await _runtime.InvokeAsync(host, registration.ActorId, registration.ToCall(), timeout, token));
                    }
                    catch (ActorInvocationException ex)
                    {
                        return Attempt<ActorCallResult>.Failed(ex.Response, error: ex);
                    }
                },
                _runtime.Stopping);
            if (result.Outcome == AttemptOutcome.Success)
            {
                if (result.Value!.CancelsSchedule)
                {
                    Remove(reminder);
                }
            }
            else
            {
                LogFireFailed(result.Error!, registration.Name, registration.ActorType, registration.ActorId, result.Attempts);
            }
        }
        catch (OperationCanceledException) when (_runtime.Stopping.IsCancellationRequested)
        {
            // Emulator shutting down.
        }
    }

    private void Remove(ScheduledReminder reminder)
    {
        var registration = reminder.Registration;
        lock (_lock)
        {
            var key = Key(registration.AppId, registration.ActorType, registration.ActorId, registration.Name);
            if (_reminders.GetValueOrDefault(key) == reminder)
            {
                _reminders.Remove(key);
            }
        }

        reminder.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            foreach (var reminder in _reminders.Values)
            {
                reminder.Dispose();
            }

            _reminders.Clear();
        }

        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reminder {Reminder} of actor {ActorType}/{ActorId} is due but no app hosts the type; skipped")]
    private partial void LogNoHost(string reminder, string actorType, string actorId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reminder {Reminder} of actor {ActorType}/{ActorId} failed after {Attempts} attempts")]
    private partial void LogFireFailed(Exception exception, string reminder, string actorType, string actorId, int attempts);

    private sealed class ScheduledReminder : IDisposable
    {
        private readonly ActorReminders _owner;
        private readonly EmulatorClock.ClockTimer _timer;
        private DateTimeOffset _scheduledAt;
        private int _fires;
        private volatile bool _disposed;

        public ScheduledReminder(ActorReminders owner, ActorReminderRegistration registration)
        {
            _owner = owner;
            Registration = registration;
            _scheduledAt = registration.Schedule.DueAt;
            _timer = owner._runtime.Clock.CreateTimer(RunAsync);
        }

        public ActorReminderRegistration Registration { get; }

        public void Arm()
        {
            if (_disposed)
            {
                return;
            }

            _timer.Change(_scheduledAt - _owner._runtime.Time.GetUtcNow());
        }

        private async Task RunAsync()
        {
            if (_disposed)
            {
                return;
            }

            await _owner.FireAsync(this);
            _fires++;
            if (Registration.Schedule.NextAfter(_scheduledAt, _fires) is { } next)
            {
                _scheduledAt = next;
                Arm();
            }
            else
            {
                _owner.Remove(this);
            }
        }

        public void Dispose()
        {
            _disposed = true;
            _timer.Dispose();
        }
    }
}
