using System.Text.Json;
using Dapr;
using Dapr.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace DaprOrders.BuildingBlocks.Messaging;

/// <summary>
/// Wraps every endpoint that declares a subscription (the SDK's <see cref="ITopicMetadata"/>), outside the SDK's
/// CloudEvents middleware, so that what daprd gets back follows its delivery contract
/// (Dapr docs: reference/api/pubsub_api#expected-http-response):
/// <list type="bullet">
/// <item>a delivery that can never be processed (not JSON, not a JSON object, bad <c>data_base64</c>, data the endpoint
/// cannot bind: anything that fails before the handler runs) is answered <c>DROP</c> with a warning: retrying could
/// not succeed, and DROP lets daprd dead-letter it;</item>
/// <item>a request Kestrel refuses otherwise (e.g. a body beyond its size limit, 413) keeps its 4xx, as on any endpoint;</item>
/// <item>a handler that throws is answered 500 problem+json, which daprd retries per the pubsub's resiliency policy.</item>
/// </list>
/// It also runs the consumer span and the delivery metrics (<see cref="MessagingTelemetry"/>).
/// </summary>
internal sealed partial class TopicDeliveryMiddleware(RequestDelegate next, ILogger<TopicDeliveryMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<ITopicMetadata>() is not { Name: not null } topic)
        {
            await next(context);
            return;
        }

        var delivery = TopicDelivery.Start(context, topic.PubsubName, topic.Name);
        Exception? failure = null;
        string outcome;
        // The endpoint answers into a buffer: when it could not bind the delivery, minimal APIs have already written a
        // 400/415 problem body, which must become DROP instead (the answer is a few bytes, so buffering costs little).
        var response = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        using var buffer = new MemoryStream();
        var buffered = new StreamResponseBodyFeature(buffer);
        try
        {
            context.Features.Set<IHttpResponseBodyFeature>(buffered);
            try
            {
                await next(context);
                await buffered.CompleteAsync();
            }
            finally
            {
                context.Features.Set(response);
            }

            if (!delivery.Described)
            {
                // Unwrapped by the SDK's CloudEvents middleware, which forwards the attributes as headers.
                var headers = context.Request.Headers;
                delivery.Describe(context, headers["Cloudevent.id"], headers["Cloudevent.type"], headers["Cloudevent.source"],
                    headers["Cloudevent.traceid"]);
            }

            if (delivery.AnsweredStatus is null
                && context.Response.StatusCode is StatusCodes.Status400BadRequest or StatusCodes.Status415UnsupportedMediaType)
            {
                // The endpoint could not bind the delivery's data (missing, of another shape, not JSON).
                await DropAsync(context, $"the endpoint could not read its data (HTTP {context.Response.StatusCode})");
            }
            else
            {
                buffer.Position = 0;
                await buffer.CopyToAsync(context.Response.Body, context.RequestAborted);
            }

            outcome = OutcomeOf(delivery, context.Response.StatusCode);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode is not (StatusCodes.Status400BadRequest or StatusCodes.Status415UnsupportedMediaType))
        {
            failure = ex;
            LogRefused(logger, context.Request.Path, ex.Message);
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                await TypedResults.Problem(statusCode: ex.StatusCode, title: "The delivery could not be read", detail: ex.Message)
                    .ExecuteAsync(context);
            }

            outcome = MessagingTelemetry.Outcomes.Error;
        }
        catch (Exception ex) when (!delivery.HandlerStarted && ex is not OperationCanceledException)
        {
            // Thrown by the SDK's CloudEvents middleware (JsonException, a JSON array, bad base64) or by minimal APIs'
            // binding (BadHttpRequestException 400/415 where RouteHandlerOptions.ThrowOnBadRequest is on, as in Development).
            failure = ex;
            await DropAsync(context, "the delivery could not be read: " + ex.Message);
            outcome = MessagingTelemetry.Outcomes.Drop;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            failure = ex;
            LogHandlerFailed(logger, context.Request.Path, ex);
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                await TypedResults.Problem(
                        statusCode: StatusCodes.Status500InternalServerError,
                        title: "The event handler failed",
                        detail: "The delivery will be retried according to the pubsub's resiliency policy.")
                    .ExecuteAsync(context);
            }

            outcome = MessagingTelemetry.Outcomes.Error;
        }

        delivery.Complete(context, outcome, failure);
    }

    private async Task DropAsync(HttpContext context, string reason)
    {
        LogDropped(logger, context.Request.Path, reason);
        if (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await TopicResponse.Drop().ExecuteAsync(context);
        }
    }

    private static string OutcomeOf(TopicDelivery delivery, int statusCode) => delivery.AnsweredStatus switch
    {
        TopicStatus.Success => MessagingTelemetry.Outcomes.Success,
        TopicStatus.Retry => MessagingTelemetry.Outcomes.Retry,
        TopicStatus.Drop => MessagingTelemetry.Outcomes.Drop,
        // No explicit status: daprd reads the HTTP status; 404 drops, any other non-2xx retries
        // (dapr/dapr v1.17.13 pkg/runtime/subscription/subscription.go).
        _ => statusCode switch
        {
            StatusCodes.Status404NotFound => MessagingTelemetry.Outcomes.Drop,
            >= 200 and <= 299 => MessagingTelemetry.Outcomes.Success,
            _ => MessagingTelemetry.Outcomes.Error,
        },
    };

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Dropping undeliverable event at {Path}: {Reason}")]
    private static partial void LogDropped(ILogger logger, PathString path, string reason);

    [LoggerMessage(EventId = 21, Level = LogLevel.Error, Message = "Event handler at {Path} failed; daprd will retry")]
    private static partial void LogHandlerFailed(ILogger logger, PathString path, Exception exception);

    [LoggerMessage(EventId = 22, Level = LogLevel.Warning, Message = "Refused a delivery at {Path}: {Reason}")]
    private static partial void LogRefused(ILogger logger, PathString path, string reason);
}
