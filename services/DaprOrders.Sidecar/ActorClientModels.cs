using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace DaprOrders.Sidecar;

/// <summary>
/// A reminder/timer time value as daprd reads it: a Go duration (<c>0h0m5s0ms</c>, what the .NET SDK sends for a
/// <see cref="TimeSpan"/>), an ISO-8601 duration with optional repetitions (<c>R5/PT10S</c>) or an RFC 3339 time.
/// </summary>
public readonly record struct DaprDuration
{
    private DaprDuration(string value) => Value = value;

    public string Value { get; }

    /// <summary>Formats as <c>{hours}h{minutes}m{seconds}s{milliseconds}ms</c>, the shape the .NET SDK sends.</summary>
    public static DaprDuration FromTimeSpan(TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Dapr durations cannot be negative.");
        }

        return new DaprDuration(FormatGoDuration(value));
    }

    /// <summary>Uses <paramref name="value"/> verbatim (e.g. <c>R5/PT10S</c>, <c>PT24H</c>, <c>90s</c>).</summary>
    public static DaprDuration FromString(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        return new DaprDuration(value);
    }

    public static implicit operator DaprDuration(TimeSpan value) => FromTimeSpan(value);

    public static implicit operator DaprDuration(string value) => FromString(value);

    public override string ToString() => Value ?? string.Empty;

    internal static string FormatGoDuration(TimeSpan value) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{(long)value.TotalHours}h{value.Minutes}m{value.Seconds}s{value.Milliseconds}ms");
}

/// <summary>Body of <c>POST /v1.0/actors/{type}/{id}/reminders/{name}</c>.</summary>
public sealed record ActorReminderRegistration
{
    /// <summary>First fire; null fires immediately.</summary>
    public DaprDuration? DueTime { get; init; }

    /// <summary>Repeat interval; null is one-shot. Scheduler-backed reminders reject day/month/year periods (use PT24H).</summary>
    public DaprDuration? Period { get; init; }

    public DaprDuration? Ttl { get; init; }

    /// <summary>Delivered back verbatim in the reminder callback's <c>data</c>.</summary>
    public JsonElement? Data { get; init; }
}

/// <summary>Body of <c>POST /v1.0/actors/{type}/{id}/timers/{name}</c>.</summary>
public sealed record ActorTimerRegistration
{
    /// <summary>Name of the actor method the host invokes when the timer fires.</summary>
    public required string Callback { get; init; }

    public DaprDuration? DueTime { get; init; }

    public DaprDuration? Period { get; init; }

    public DaprDuration? Ttl { get; init; }

    public JsonElement? Data { get; init; }
}

/// <summary>A value read with <c>GET /v1.0/actors/{type}/{id}/state/{key}</c>.</summary>
public sealed record ActorStateValue(JsonElement Value, DateTimeOffset? TtlExpireTime);

/// <summary>One operation of an actor state transaction (body is a bare JSON array).</summary>
public sealed record ActorStateOperation
{
    private ActorStateOperation(StateOperationType operation, string key, JsonElement? value, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        Operation = operation;
        Key = key;
        Value = value;
        Metadata = metadata;
    }

    public StateOperationType Operation { get; }

    public string Key { get; }

    public JsonElement? Value { get; }

    /// <summary>E.g. <c>ttlInSeconds</c> (needs the ActorStateTTL feature in the Dapr Configuration).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; }

    public static ActorStateOperation Upsert<T>(string key, T value, JsonTypeInfo<T> typeInfo, IReadOnlyDictionary<string, string>? metadata = null) =>
        new(StateOperationType.Upsert, key, JsonSerializer.SerializeToElement(value, typeInfo), metadata);

    public static ActorStateOperation Upsert(string key, JsonElement value, IReadOnlyDictionary<string, string>? metadata = null) =>
        new(StateOperationType.Upsert, key, value, metadata);

    public static ActorStateOperation Delete(string key) => new(StateOperationType.Delete, key, value: null, metadata: null);
}
