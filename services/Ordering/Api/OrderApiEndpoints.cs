using Dapr;
using DaprOrders.BuildingBlocks;
using DaprOrders.Contracts;
using DaprOrders.Ordering.Index;
using DaprOrders.Ordering.Intake;
using DaprOrders.Ordering.Orders;
using DaprOrders.Ordering.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace DaprOrders.Ordering.Api;

/// <summary>The public API: submit orders as CloudEvents, read them back, list and count them.</summary>
public static partial class OrderApiEndpoints
{
    public const int DefaultListLimit = 50;
    public const int MaxListLimit = 500;

    private const string ProblemJson = "application/problem+json";

    public static RouteGroupBuilder MapOrderApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        // No group prefix: a prefix would make POST /orders's template "/orders/", and the template is what the server
        // span's name and http.route carry.
        var orders = endpoints.MapGroup(string.Empty)
            .WithTags("Orders")
            .RequireRateLimiting(ApiRateLimiting.PolicyName)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .AddEndpointFilter(AnswerUnavailableSidecar);

        orders.MapPost("/orders", SubmitAsync)
            // The intake reads the CloudEvent itself: the SDK's CloudEvents middleware (UseDaprApp) must not unwrap it.
            .ReceiveCloudEventEnvelope()
            .WithName("SubmitOrder")
            .WithSummary("Submit orders as CloudEvents (daprorders.order.submitted.v1)")
            .WithDescription(
                "Accepts one event in structured mode (application/cloudevents+json) or binary mode (ce-* headers, " +
                "application/json data), or a batch (application/cloudevents-batch+json, 1-100 events). Idempotent on the " +
                "CloudEvent source+id: a repeat returns the same order and emits no second event; the same source+id with a " +
                "different payload is 409. A batch is validated as a whole first (any error: 400, nothing stored), then " +
                "each event is stored on its own; on 5xx retry the whole batch, which idempotency makes safe.")
            // Accepts also filters by Content-Type during routing, so it lists every mode; the schema shown is the
            // structured event (a batch is an array of them, binary mode sends its data with ce-* headers).
            .Accepts<SubmitOrderCloudEvent>(CloudEventHttpBinding.StructuredMediaType, CloudEventHttpBinding.BatchMediaType, "application/json")
            .Produces<OrderAccepted>(StatusCodes.Status202Accepted)
            .Produces<IReadOnlyList<BatchEntryResult>>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        orders.MapGet("/orders/stats", GetStatsAsync)
            .WithName("GetOrderStats")
            .WithSummary("Count orders by status")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        orders.MapGet("/orders/{orderId}", GetOrderAsync)
            .WithName("GetOrder")
            .WithSummary("Read one order with its status history")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        orders.MapGet("/orders", ListOrdersAsync)
            .WithName("ListOrders")
            .WithSummary("The latest orders, newest first")
            .WithDescription($"status: only orders in this status; limit: 1-{MaxListLimit} (default {DefaultListLimit}).")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return orders;
    }

    internal static async Task<IResult> SubmitAsync(HttpContext context, OrderStore store, OrderIndexWriter index,
        IOptions<IntakeOptions> options, TimeProvider timeProvider, ILogger<OrderStore> logger, OrderingMetrics metrics)
    {
        var request = context.Request;
        var limits = options.Value;
        var isBatch = request.ContentType is { } contentType
            && contentType.StartsWith(CloudEventHttpBinding.BatchMediaType, StringComparison.OrdinalIgnoreCase);
        var limit = isBatch ? limits.MaxBatchBytes : limits.MaxEventBytes;

        CloudEventReadResult read;
        using (var body = await RequestBodyReader.ReadAsync(request, limit, context.RequestAborted))
        {
            if (body.TooLarge)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
                    detail: $"The body exceeds the limit of {limit} bytes for {(isBatch ? "a batch" : "one event")}.");
            }

            // The reader copies what it keeps, so the pooled buffer can go back when this block ends.
            read = CloudEventHttpBinding.Read(request.ContentType, Headers(request), body.Memory);
        }

        if (read.UnsupportedMediaType)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: "Send a CloudEvent: application/cloudevents+json, application/cloudevents-batch+json, " +
                        "or binary mode (ce-specversion, ce-id, ce-source, ce-type headers with application/json data).");
        }

        var errors = read.Errors;
        var submissions = errors.HasErrors ? [] : OrderSubmissionReader.Validate(read, errors);
        if (errors.HasErrors)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(), title: "The order submission is invalid");
        }

        var now = timeProvider.GetUtcNow();
        SubmissionResult[] results;
        try
        {
            results = submissions.Count == 1
                ? [await store.SubmitAsync(OrderSubmissionReader.ToOrder(submissions[0], now), context.RequestAborted)]
                : await Task.WhenAll(submissions.Select(s => store.SubmitAsync(OrderSubmissionReader.ToOrder(s, now), context.RequestAborted)));
        }
        catch (DaprException ex)
        {
            LogStoreUnavailable(logger, ex);
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Order store unavailable",
                detail: "The order could not be stored. Retry the same request: submissions are idempotent.");
        }

        foreach (var result in results)
        {
            if (result.Outcome == SubmissionOutcome.Created)
            {
                index.Enqueue(result.Order, previousStatus: null);
                metrics.OrderSubmitted();
            }
        }

        return read.Mode == CloudEventMode.Batch ? BatchResponse(results) : SingleResponse(results[0]);
    }

    private static IResult SingleResponse(SubmissionResult result)
    {
        var order = result.Order;
        if (result.Outcome == SubmissionOutcome.Conflict)
        {
            return Conflict($"This CloudEvent source and id were already submitted with a different payload (order {order.OrderId}).",
                order.OrderId, results: null);
        }

        return TypedResults.Accepted(Location(order.OrderId), new OrderAccepted(order.OrderId, order.Status));
    }

    private static IResult BatchResponse(SubmissionResult[] results)
    {
        var entries = new BatchEntryResult[results.Length];
        for (var i = 0; i < results.Length; i++)
        {
            var order = results[i].Order;
            entries[i] = new BatchEntryResult(i, order.OrderId, order.Status, Location(order.OrderId), results[i].Outcome switch
            {
                SubmissionOutcome.Created => "created",
                SubmissionOutcome.Duplicate => "duplicate",
                _ => "conflict",
            });
        }

        var conflicts = entries.Where(e => e.Outcome == "conflict").Select(e => e.Index).ToList();
        return conflicts.Count == 0
            ? TypedResults.Accepted((string?)null, entries)
            : Conflict($"Events {string.Join(", ", conflicts)} reuse a source and id already submitted with a different payload; " +
                       "the other events were stored (see results).", orderId: null, entries);
    }

    private static ProblemHttpResult Conflict(string detail, string? orderId, BatchEntryResult[]? results)
    {
        var extensions = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (orderId is not null)
        {
            extensions["orderId"] = orderId;
        }

        if (results is not null)
        {
            extensions["results"] = results;
        }

        return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Submission conflicts with an existing order",
            detail: detail, extensions: extensions);
    }

    internal static async Task<Results<Ok<OrderView>, ProblemHttpResult>> GetOrderAsync(string orderId, OrderStore store,
        CancellationToken cancellationToken)
    {
        var order = OrderIdentity.IsOrderId(orderId) ? await store.GetAsync(orderId, cancellationToken) : null;
        return order is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Order not found",
                detail: $"There is no order '{orderId}'.")
            : TypedResults.Ok(OrderView.From(order));
    }

    internal static async Task<Results<Ok<OrderList>, ValidationProblem>> ListOrdersAsync(string? status, int? limit,
        OrderIndexWriter index, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        OrderStatus? filter = null;
        if (!string.IsNullOrEmpty(status))
        {
            // Names only: Enum.TryParse would also take numbers and comma lists.
            var name = Array.Find(Enum.GetNames<OrderStatus>(), n => string.Equals(n, status, StringComparison.OrdinalIgnoreCase));
            if (name is not null)
            {
                filter = Enum.Parse<OrderStatus>(name);
            }
            else
            {
                errors["status"] = [$"must be one of {string.Join(", ", Enum.GetNames<OrderStatus>())}"];
            }
        }

        if (limit is < 1 or > MaxListLimit)
        {
            errors["limit"] = [$"must be between 1 and {MaxListLimit}"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The query is invalid");
        }

        var document = await index.ReadIndexAsync(cancellationToken);
        var orders = document.Recent
            .Where(o => filter is null || o.Status == filter)
            .Take(limit ?? DefaultListLimit)
            .ToList();
        return TypedResults.Ok(new OrderList(orders, orders.Count));
    }

    internal static async Task<Ok<OrderStats>> GetStatsAsync(OrderIndexWriter index, CancellationToken cancellationToken)
    {
        var document = await index.ReadIndexAsync(cancellationToken);
        return TypedResults.Ok(new OrderStats(document.CountsByStatus(), document.TotalOrders));
    }

    // Reads that cannot reach the sidecar are a temporary condition of this service, not a server bug. The SDK's
    // DaprClient wraps every failed gRPC call in DaprException, an unreachable sidecar (gRPC UNAVAILABLE) included.
    private static async ValueTask<object?> AnswerUnavailableSidecar(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (DaprException ex)
        {
            var logger = context.HttpContext.RequestServices.GetRequiredService<ILogger<OrderStore>>();
            LogStoreUnavailable(logger, ex);
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Order store unavailable",
                detail: "The Dapr sidecar could not be reached or failed; retry later.");
        }
    }

    private static string Location(string orderId) => "/orders/" + orderId;

    private static IEnumerable<KeyValuePair<string, string>> Headers(HttpRequest request)
    {
        foreach (var header in request.Headers)
        {
            yield return new KeyValuePair<string, string>(header.Key, header.Value.ToString());
        }
    }

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "The order store failed")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception);
}
