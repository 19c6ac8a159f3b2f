using DaprOrders.Contracts;

namespace DaprOrders.OrderCli;

/// <summary>
/// One <c>daprorders.order.submitted.v1</c> CloudEvent to send to Ordering. <see cref="Source"/> + <see cref="Id"/> is
/// the idempotency key: sending the same event again must not create a second order.
/// </summary>
public sealed record OrderSubmissionEvent(string Id, string Source, OrderSubmission Data, DateTimeOffset Time)
{
    /// <summary>The CloudEvent <c>source</c> of everything this CLI submits.</summary>
    public const string CliSource = "daprorders-cli";

    public static OrderSubmissionEvent Create(OrderSubmission data, TimeProvider? time = null) =>
        new(Guid.NewGuid().ToString(), CliSource, data, (time ?? TimeProvider.System).GetUtcNow());
}

/// <summary>How the CloudEvent travels over HTTP (CloudEvents HTTP protocol binding).</summary>
public enum SubmissionMode
{
    /// <summary>One event per request, <c>application/cloudevents+json</c>.</summary>
    Structured,

    /// <summary>One event per request, attributes in <c>ce-*</c> headers, the submission as the JSON body.</summary>
    Binary,

    /// <summary>Several events per request, <c>application/cloudevents-batch+json</c>.</summary>
    Batch,
}

/// <summary>Ordering's order-id rule (asyncapi.yaml, HTTP intake), so a client knows the id before Ordering answers.</summary>
public static class OrderIds
{
    /// <summary>A UUID (version 8) from the first 16 bytes of SHA-256(<c>source + "\n" + id</c>), lower-case, hyphenated.</summary>
    public static string Derive(string source, string eventId)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(eventId);
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(source + "\n" + eventId));
        var uuid = hash.AsSpan(0, 16);
        uuid[6] = (byte)((uuid[6] & 0x0F) | 0x80);
        uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80);
        return new Guid(uuid, bigEndian: true).ToString("D");
    }
}
