using System.Text.Json;
using System.Text.Json.Serialization;

namespace DaprOrders.Audit.DeadLetters;

[JsonConverter(typeof(JsonStringEnumConverter<DeadLetterStatus>))]
public enum DeadLetterStatus
{
    /// <summary>Arrived (again) and waits for an operator.</summary>
    Pending,

    /// <summary>Republished to its original topic; a new failure brings it back to Pending.</summary>
    Replayed,

    /// <summary>An operator decided it needs no further processing.</summary>
    Discarded,
}

/// <summary>
/// A CloudEvent that reached the dead-letter topic (state key <c>audit-deadletter-{id}</c>). daprd republishes the
/// original bytes and says nothing about why the subscriber failed, so <see cref="Error"/> stays null unless a
/// publisher adds an error attribute; which subscriber gave up is not known either.
/// </summary>
/// <param name="Id">The original CloudEvent id (one record however often it is dead-lettered).</param>
/// <param name="Topic">The ORIGINAL topic (the CloudEvent's <c>topic</c> attribute), where a replay goes.</param>
/// <param name="Attempts">How many times this CloudEvent id arrived as a dead letter.</param>
/// <param name="Replays">How many times an operator replayed it.</param>
/// <param name="Payload">The complete original CloudEvent JSON.</param>
public sealed record DeadLetterRecord(
    string Id,
    string? Topic,
    string? PubsubName,
    string? Type,
    string? Source,
    string? OrderId,
    string? Error,
    int Attempts,
    int Replays,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    DateTimeOffset? LastReplayedAt,
    DateTimeOffset? DiscardedAt,
    DeadLetterStatus Status,
    JsonElement Payload)
{
    public DeadLetterSummary ToSummary() =>
        new(Id, Topic, PubsubName, Type, Source, OrderId, Error, Attempts, Replays, FirstSeen, LastSeen, LastReplayedAt, DiscardedAt, Status);
}

/// <summary>A dead letter without its payload, for lists.</summary>
public sealed record DeadLetterSummary(
    string Id,
    string? Topic,
    string? PubsubName,
    string? Type,
    string? Source,
    string? OrderId,
    string? Error,
    int Attempts,
    int Replays,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    DateTimeOffset? LastReplayedAt,
    DateTimeOffset? DiscardedAt,
    DeadLetterStatus Status);

/// <summary>Ids of stored dead letters, oldest first (state key <c>audit-deadletters</c>).</summary>
public sealed record DeadLetterIndex(IReadOnlyList<string> Ids)
{
    public static DeadLetterIndex Empty { get; } = new([]);

    /// <summary>Appends <paramref name="id"/>, dropping the oldest beyond <paramref name="limit"/>; null when already listed.</summary>
    public DeadLetterIndex? With(string id, int limit)
    {
        if (Ids.Contains(id, StringComparer.Ordinal))
        {
            return null;
        }

        var ids = Ids.Append(id).ToList();
        return new DeadLetterIndex(ids.Count > limit ? ids[^limit..] : ids);
    }
}
