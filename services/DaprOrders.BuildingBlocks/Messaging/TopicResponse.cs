using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace DaprOrders.BuildingBlocks.Messaging;

/// <summary>How daprd should treat a delivered message. Written upper-case: daprd compares case-sensitively.</summary>
public enum TopicStatus
{
    /// <summary>Acknowledge.</summary>
    Success,

    /// <summary>Retry per the pubsub's resiliency policy, then dead-letter.</summary>
    Retry,

    /// <summary>Acknowledge without processing; copied to the dead-letter topic when one is configured.</summary>
    Drop,
}

/// <summary>
/// 200 <c>{"status":"SUCCESS|RETRY|DROP"}</c>, the explicit answer daprd understands for a single delivery (the SDK has
/// a type for bulk answers only, <c>BulkSubscribeAppResponse</c>). Dapr docs: reference/api/pubsub_api#expected-http-response
/// </summary>
public sealed class TopicResponse : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    private static readonly TopicResponse SuccessResult = new(TopicStatus.Success);
    private static readonly TopicResponse RetryResult = new(TopicStatus.Retry);
    private static readonly TopicResponse DropResult = new(TopicStatus.Drop);

    private TopicResponse(TopicStatus status) => Status = status;

    public TopicStatus Status { get; }

    int? IStatusCodeHttpResult.StatusCode => StatusCodes.Status200OK;

    string? IContentTypeHttpResult.ContentType => "application/json";

    public static TopicResponse Success() => SuccessResult;

    public static TopicResponse Retry() => RetryResult;

    public static TopicResponse Drop() => DropResult;

    public static TopicResponse For(TopicStatus status) => status switch
    {
        TopicStatus.Success => SuccessResult,
        TopicStatus.Retry => RetryResult,
        TopicStatus.Drop => DropResult,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (httpContext.Features.Get<TopicDelivery>() is { } delivery)
        {
            delivery.AnsweredStatus = Status;
        }

        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter);
        writer.WriteStartObject();
        writer.WriteString("status", ToWire(Status));
        writer.WriteEndObject();
        await writer.FlushAsync(httpContext.RequestAborted);
    }

    internal static string ToWire(TopicStatus status) => status switch
    {
        TopicStatus.Success => "SUCCESS",
        TopicStatus.Retry => "RETRY",
        TopicStatus.Drop => "DROP",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
