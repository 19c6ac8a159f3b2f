using DaprOrders.Emulator.Diagnostics;

namespace DaprOrders.Emulator.Actors;

/// <summary>One actor instance on one hosting app.</summary>
public readonly record struct ActorAddress(string HostAppId, string ActorType, string ActorId)
{
    public override string ToString() => $"{ActorType}/{ActorId}@{HostAppId}";
}

/// <summary>
/// A turn for an actor as daprd sends it to the hosting app: always PUT /actors/{type}/{id}/{Path}, where Path is
/// "method/{name}", "method/remind/{name}" or "method/timer/{name}".
/// </summary>
public sealed record ActorCall(
    string Path,
    ReadOnlyMemory<byte> Body,
    string? ContentType,
    string QueryString = "",
    IReadOnlyList<KeyValuePair<string, string>>? Headers = null,
    string? ReentrancyId = null)
{
    public static ActorCall Method(string method, ReadOnlyMemory<byte> body, string? contentType) =>
        new($"method/{Uri.EscapeDataString(method)}", body, contentType);

    /// <summary>What kind of delivery into the app this turn is, for the exchange counts.</summary>
    public AppDelivery Delivery =>
        Path.StartsWith("method/remind/", StringComparison.Ordinal) ? AppDelivery.ActorReminder
        : Path.StartsWith("method/timer/", StringComparison.Ordinal) ? AppDelivery.ActorTimer
        : AppDelivery.ActorMethod;
}

/// <summary>What the app answered. daprd accepts exactly 200 as success (dapr/dapr release-1.17 pkg/actors/targets/app/app.go).</summary>
public sealed record ActorCallResult(
    int StatusCode,
    ReadOnlyMemory<byte> Body,
    string? ContentType,
    IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public bool IsSuccess => StatusCode == 200;

    /// <summary>X-DaprReminderCancel: true on a reminder or timer callback cancels it.</summary>
    public bool CancelsSchedule => Headers.Any(h =>
        string.Equals(h.Key, "X-DaprReminderCancel", StringComparison.OrdinalIgnoreCase)
        && string.Equals(h.Value, "true", StringComparison.OrdinalIgnoreCase));
}

/// <summary>The app could not be reached, timed out, or answered something other than 200.</summary>
public sealed class ActorInvocationException : Exception
{
    public ActorInvocationException(string message, ActorCallResult? response = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Response = response;
    }

    /// <summary>The app's answer when it gave one (non-200), else null (connection failure, timeout).</summary>
    public ActorCallResult? Response { get; }

    /// <summary>404 means "actor method not found" to daprd: a permanent error, never retried.</summary>
    public bool IsPermanent => Response?.StatusCode == 404;
}
