namespace DaprOrders.Emulator.Actors;

/// <summary>
/// When a reminder or timer fires: first at <see cref="DueAt"/>, then every <see cref="Period"/> until
/// <see cref="Repetitions"/> fires happened or <see cref="ExpiresAt"/> passed (wire notes section 5.3).
/// </summary>
public sealed record ActorSchedule(DateTimeOffset DueAt, SchedulePeriod? Period, int? Repetitions, DateTimeOffset? ExpiresAt)
{
    /// <summary>
    /// Reads a registration's dueTime/period/ttl. Reminders are Scheduler-backed in daprd 1.15+, which rejects
    /// periods with years, months or days; timers accept them (<paramref name="calendarPeriodsAllowed"/>).
    /// </summary>
    /// <exception cref="FormatException">The text is not a format daprd accepts, or the ttl already expired.</exception>
    public static ActorSchedule Parse(string? dueTime, string? period, string? ttl, DateTimeOffset now, bool calendarPeriodsAllowed)
    {
        var dueAt = ParseDueTime(dueTime, now);
        SchedulePeriod? every = null;
        int? repetitions = null;
        if (!string.IsNullOrEmpty(period))
        {
            if (DaprDuration.TryParseGo(period, out var goPeriod))
            {
                every = SchedulePeriod.FromTimeSpan(goPeriod);
            }
            else if (DaprDuration.TryParseIso8601(period, out var isoPeriod, out repetitions))
            {
                if (repetitions == 0)
                {
                    throw new FormatException($"repetitions must be greater than 0 in period '{period}'");
                }

                if (isoPeriod.HasCalendarParts && !calendarPeriodsAllowed)
                {
                    throw new FormatException($"period '{period}' has years, months or days, which the scheduler does not support; use hours (e.g. PT24H)");
                }

                every = isoPeriod;
            }
            else
            {
                throw new FormatException($"unsupported period format: {period}");
            }

            if (every.Time < TimeSpan.Zero || every.IsZero)
            {
                // A zero period with repetitions would fire in a tight loop; daprd rejects non-positive periods.
                throw new FormatException($"period must be positive: {period}");
            }
        }

        DateTimeOffset? expiresAt = null;
        if (!string.IsNullOrEmpty(ttl))
        {
            if (DaprDuration.TryParseRfc3339(ttl, out var absolute))
            {
                expiresAt = absolute;
            }
            else if (DaprDuration.TryParseGo(ttl, out var relative))
            {
                expiresAt = dueAt + relative;
            }
            else if (DaprDuration.TryParseIso8601(ttl, out var isoTtl, out var ttlRepetitions) && ttlRepetitions is null)
            {
                expiresAt = isoTtl.AddTo(dueAt);
            }
            else
            {
                throw new FormatException($"unsupported ttl format: {ttl}");
            }

            if (expiresAt <= now)
            {
                throw new FormatException($"ttl {ttl} is already expired");
            }
        }

        return new ActorSchedule(dueAt, every, repetitions, expiresAt);
    }

    /// <summary>
    /// A reminder's dueTime/period/ttl as daprd 1.17 hands them to the Scheduler as a job
    /// (dapr/dapr v1.17.13 pkg/actors/internal/scheduler/scheduler.go), with go-etcd-cron's rules as dapr v1.17.13
    /// pins it (internal/scheduler/builder.go <c>Parse</c>, repeats.go <c>Next</c>): a job with a period and no dueTime
    /// starts its clock now and first fires one period later, and a job without a period (one-shot) may not have a ttl.
    /// </summary>
    /// <exception cref="FormatException">Not a format daprd accepts, or a ttl on a one-shot reminder (the message is the Scheduler's error as daprd reports it).</exception>
    public static ActorSchedule ParseReminder(string? dueTime, string? period, string? ttl, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(period) && !string.IsNullOrEmpty(ttl))
        {
            // The Scheduler's gRPC error as daprd passes it on (pkg/scheduler/server/api.go returns go-etcd-cron's error).
            throw new FormatException("rpc error: code = Unknown desc = job failed validation: job must have a schedule to have a ttl");
        }

        var schedule = Parse(dueTime, period, ttl, now, calendarPeriodsAllowed: false);
        return string.IsNullOrEmpty(dueTime) && schedule.Period is { } every
            ? schedule with { DueAt = every.AddTo(now) }
            : schedule;
    }

    /// <summary>The fire after the one scheduled at <paramref name="scheduledAt"/>, or null when the schedule is done.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset scheduledAt, int firesSoFar)
    {
        if (Period is null || (Repetitions is { } limit && firesSoFar >= limit))
        {
            return null;
        }

        var next = Period.AddTo(scheduledAt);
        return ExpiresAt is { } expires && next > expires ? null : next;
    }

    private static DateTimeOffset ParseDueTime(string? dueTime, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(dueTime))
        {
            return now;
        }

        if (DaprDuration.TryParseGo(dueTime, out var relative))
        {
            return now + (relative < TimeSpan.Zero ? TimeSpan.Zero : relative);
        }

        if (DaprDuration.TryParseIso8601(dueTime, out var isoDue, out var repetitions))
        {
            return repetitions is null
                ? isoDue.AddTo(now)
                : throw new FormatException($"dueTime must not have repetitions: {dueTime}");
        }

        if (DaprDuration.TryParseRfc3339(dueTime, out var absolute))
        {
            return absolute;
        }

        throw new FormatException($"unsupported dueTime format: {dueTime}");
    }
}
