using DaprOrders.Audit.DeadLetters;
using DaprOrders.Audit.Timeline;
using DaprOrders.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace DaprOrders.Audit.Api;

/// <summary>Response of <c>GET /audit/events</c>.</summary>
public sealed record AuditEventsView(IReadOnlyList<AuditEntry> Events);

public static class AuditEndpoints
{
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
