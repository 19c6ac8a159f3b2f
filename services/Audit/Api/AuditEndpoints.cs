using System.Text.Json;
using Dapr.AspNetCore;
using DaprOrders.Audit.DeadLetters;
using DaprOrders.Audit.Timeline;
using DaprOrders.BuildingBlocks;
using DaprOrders.BuildingBlocks.Messaging;
using DaprOrders.Contracts;
using DaprOrders.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace DaprOrders.Audit.Api;

/// <summary>Response of <c>GET /audit/events</c>.</summary>
public sealed record AuditEventsView(IReadOnlyList<AuditEntry> Events);

public static class AuditEndpoints
{
    /// <summary>The topics Audit records, each with one default route. Dead letters have their own endpoint.</summary>
    public static IReadOnlyList<string> RecordedTopics { get; } = [Topics.Orders, Topics.Inventory, Topics.Payments, Topics.Notifications];

    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder endpoints)
    {
        var audit = endpoints.MapGroup("/audit").WithTags("Audit");

        audit.MapGet("/orders/{orderId}", GetTimelineAsync)
            .WithName("GetOrderTimeline")
            .WithSummary("Every event of an order, in the order Audit received them");

        audit.MapGet("/events", GetRecentAsync)
            .WithName("ListRecentEvents")
            .WithSummary("The latest events across all orders, newest first");
        return audit;
    }

    public static RouteGroupBuilder MapDeadLetterApi(this IEndpointRouteBuilder endpoints)
    {
        // Full paths on an unprefixed group: a group-relative "" route would be described as "/deadletters/".
        var deadLetters = endpoints.MapGroup(string.Empty).WithTags("Dead letters");

        deadLetters.MapGet("/deadletters", ListDeadLettersAsync)
            .WithName("ListDeadLetters")
            .WithSummary("Dead letters, most recently arrived first")
            .WithDescription("Filter with status=Pending|Replayed|Discarded; limit defaults to 100.");

        deadLetters.MapGet("/deadletters/{id}", GetDeadLetterAsync)
            .WithName("GetDeadLetter")
            .WithSummary("One dead letter including the original CloudEvent");

        var actions = deadLetters.MapGroup("/deadletters/{id}").RequireOperator()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        actions.MapPost("/replay", ReplayAsync)
            .WithName("ReplayDeadLetter")
            .WithSummary("Republish the original CloudEvent to its original topic");

        actions.MapPost("/discard", DiscardAsync)
            .WithName("DiscardDeadLetter")
            .WithSummary("Mark a dead letter as needing no further action");
        return deadLetters;
    }

    /// <summary>
    /// Sidecar-facing subscriptions (<see cref="DaprAppExtensions.MapTopicEndpoints"/>). Audit keeps the CloudEvent itself,
    /// not only its data, so its endpoints receive the envelope.
    /// </summary>
    public static RouteGroupBuilder MapAuditEvents(this IEndpointRouteBuilder endpoints, AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var events = endpoints.MapTopicEndpoints();
        foreach (var topic in RecordedTopics)
        {
            // Audit wants every type, so one default route per topic and no rules.
            var subscription = TopicSubscriptions.Default(options.PubsubName, topic, Topics.DeadLetters);
            if (options.BulkSubscribe)
            {
                events.MapPost($"/{topic}", RecordBulkAsync)
                    .WithTopic(subscription)
                    .WithBulkSubscribe(new BulkSubscribeTopicOptions
                    {
                        TopicName = topic,
                        MaxMessagesCount = options.BulkMaxMessagesCount,
                        MaxAwaitDurationMs = options.BulkMaxAwaitDurationMs,
                    })
                    .ReceiveCloudEventEnvelope();
            }
            else
            {
                events.MapPost($"/{topic}", RecordAsync).WithTopic(subscription).ReceiveCloudEventEnvelope();
            }
        }

        // No dead-letter topic here: a dead letter that cannot be stored must not loop back into its own topic.
        events.MapPost($"/{Topics.DeadLetters}", ReceiveDeadLetterAsync)
            .WithTopic(TopicSubscriptions.Default(options.PubsubName, Topics.DeadLetters, deadLetterTopic: null))
            .ReceiveCloudEventEnvelope();
        return events;
    }

    private static async Task<TopicResponse> RecordAsync(JsonElement cloudEvent, HttpContext context, AuditRecorder recorder,
        CancellationToken cancellationToken)
    {
        if (ObservedEvent.From(cloudEvent) is not { } observed)
        {
            // Without an id the event cannot be deduplicated; DROP hands it to the dead letters.
            return TopicResponse.Drop();
        }

        context.DescribeDelivery(observed.Id, observed.Type, observed.Source, observed.TraceParent);
        var statuses = await recorder.RecordDeliveredAsync([observed], cancellationToken);
        return TopicResponse.For(statuses[0]);
    }

    private static async Task<BulkSubscribeAppResponse> RecordBulkAsync(BulkSubscribeMessage<JsonElement> delivery, AuditRecorder recorder,
        CancellationToken cancellationToken)
    {
        var readable = delivery.Entries.Select(e => (e.EntryId, Event: ObservedEvent.From(e.Event))).Where(e => e.Event is not null).ToList();
        var statuses = await recorder.RecordDeliveredAsync([.. readable.Select(e => e.Event!)], cancellationToken);
        var byEntry = readable.Select((entry, index) => (entry.EntryId, Status: statuses[index]))
            .ToDictionary(x => x.EntryId, x => x.Status, StringComparer.Ordinal);
        return new BulkSubscribeAppResponse([.. delivery.Entries.Select(e =>
            new BulkSubscribeAppResponseEntry(e.EntryId, byEntry.GetValueOrDefault(e.EntryId, TopicStatus.Drop) switch
            {
                TopicStatus.Success => BulkSubscribeAppResponseStatus.SUCCESS,
                TopicStatus.Retry => BulkSubscribeAppResponseStatus.RETRY,
                _ => BulkSubscribeAppResponseStatus.DROP,
            }))]);
    }

    private static async Task<TopicResponse> ReceiveDeadLetterAsync(JsonElement cloudEvent, HttpContext context, DeadLetterOffice office,
        CancellationToken cancellationToken)
    {
        // The record keeps the complete original CloudEvent, every attribute included.
        if (ObservedEvent.From(cloudEvent) is { } observed)
        {
            context.DescribeDelivery(observed.Id, observed.Type, observed.Source, observed.TraceParent);
        }

        return TopicResponse.For(await office.ReceiveAsync(cloudEvent, cancellationToken));
    }

    private static async Task<Results<Ok<OrderTimeline>, ProblemHttpResult>> GetTimelineAsync(string orderId, AuditStore store,
        CancellationToken cancellationToken)
    {
        var entry = await store.GetTimelineAsync(orderId, cancellationToken);
        return entry.Value is { } timeline
            ? TypedResults.Ok(timeline)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No events recorded for this order",
                detail: $"Audit has not received any event of order '{orderId}'.");
    }

    private static async Task<Results<Ok<AuditEventsView>, ValidationProblem>> GetRecentAsync(AuditStore store, IOptions<AuditOptions> options,
        CancellationToken cancellationToken, int? limit = null)
    {
        var max = options.Value.RecentLimit;
        if (limit is < 1 || limit > max)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"limit must be between 1 and {max}."] });
        }

        var recent = (await store.GetRecentAsync(cancellationToken)).Value ?? RecentEvents.Empty;
        return TypedResults.Ok(new AuditEventsView([.. recent.Events.Take(limit ?? 50)]));
    }

    private static async Task<Results<Ok<IReadOnlyList<DeadLetterSummary>>, ValidationProblem>> ListDeadLettersAsync(
        DeadLetterOffice office, CancellationToken cancellationToken, string? status = null, int? limit = null)
    {
        DeadLetterStatus? filter = null;
        if (status is not null)
        {
            if (!Enum.TryParse<DeadLetterStatus>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) ||
                int.TryParse(status, out _))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["status"] = [$"status must be one of {string.Join(", ", Enum.GetNames<DeadLetterStatus>())}."],
                });
            }

            filter = parsed;
        }

        if (limit is < 1 or > 1000)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["limit must be between 1 and 1000."] });
        }

        return TypedResults.Ok(await office.ListAsync(filter, limit ?? 100, cancellationToken));
    }

    // The operations page maps these same handlers, so both doors answer alike.
    internal static async Task<Results<Ok<DeadLetterRecord>, ProblemHttpResult>> GetDeadLetterAsync(string id, DeadLetterOffice office,
        CancellationToken cancellationToken) =>
        await office.GetAsync(id, cancellationToken) is { } record ? TypedResults.Ok(record) : NotFound(id);

    internal static async Task<Results<Ok<DeadLetterSummary>, ProblemHttpResult>> ReplayAsync(string id, DeadLetterOffice office,
        CancellationToken cancellationToken)
    {
        DeadLetterActionOutcome outcome;
        try
        {
            outcome = await office.ReplayAsync(id, cancellationToken);
        }
        catch (DeadLetterContentionException ex)
        {
            return Busy(ex);
        }

        return outcome switch
        {
            { Result: DeadLetterActionResult.NotFound } => NotFound(id),
            { Result: DeadLetterActionResult.AlreadyDiscarded } => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                title: "Dead letter was discarded", detail: $"Dead letter '{id}' was discarded and cannot be replayed."),
            { Result: DeadLetterActionResult.TopicUnknown } => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                title: "Original topic unknown", detail: $"Dead letter '{id}' has no topic attribute, so there is nowhere to replay it to."),
            { PublishError: { } error } => TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway,
                title: "Replay could not be published", detail: error),
            _ => TypedResults.Ok(outcome.Record!.ToSummary()),
        };
    }

    internal static async Task<Results<Ok<DeadLetterSummary>, ProblemHttpResult>> DiscardAsync(string id, DeadLetterOffice office,
        CancellationToken cancellationToken)
    {
        DeadLetterActionOutcome outcome;
        try
        {
            outcome = await office.DiscardAsync(id, cancellationToken);
        }
        catch (DeadLetterContentionException ex)
        {
            return Busy(ex);
        }

        return outcome.Result == DeadLetterActionResult.NotFound ? NotFound(id) : TypedResults.Ok(outcome.Record!.ToSummary());
    }

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Dead letter not found", detail: $"No dead letter with id '{id}'.");

    private static ProblemHttpResult Busy(DeadLetterContentionException ex) =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Dead letter is busy", detail: ex.Message);
}
