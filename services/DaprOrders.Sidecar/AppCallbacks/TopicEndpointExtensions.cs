using System.Text.Json;
using DaprOrders.Sidecar.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Sidecar.AppCallbacks;

public static partial class TopicEndpointExtensions
{
    /// <summary>
    /// Declares a subscription served by this endpoint (see <see cref="TopicSubscription"/>) and makes the endpoint
    /// sidecar-facing: it requires the Dapr app token, answers DROP for a delivery that is not a readable CloudEvent
    /// (retrying could never succeed, and DROP lets daprd dead-letter it), and answers 500 problem+json when the
    /// handler throws (daprd retries any non-2xx other than 404 per the pubsub's resiliency policy).
    /// </summary>
    public static TBuilder WithTopic<TBuilder>(this TBuilder builder, string pubsubName, string topic,
        string? deadLetterTopic = null, string? match = null, int priority = 0)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithTopic(new TopicSubscription(pubsubName, topic)
        {
            DeadLetterTopic = deadLetterTopic,
            Match = match,
            Priority = priority,
        });

    /// <summary>Declares a subscription with metadata (e.g. <c>rawPayload</c>) or bulk subscribe options.</summary>
    public static TBuilder WithTopic<TBuilder>(this TBuilder builder, TopicSubscription subscription)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(subscription);
        builder.WithMetadata(subscription);
        builder.Finally(endpoint =>
        {
            if (endpoint.Metadata.OfType<TopicDeliveryGuard>().Any() || endpoint.RequestDelegate is not { } inner)
            {
                return;
            }

            endpoint.Metadata.Add(TopicDeliveryGuard.Instance);
            endpoint.RequestDelegate = context => DeliverAsync(context, inner, subscription);
            // Outermost: the token is checked before anything reads the body.
            DaprAppToken.Wrap(endpoint);
        });
        return builder;
    }

    private static async Task DeliverAsync(HttpContext context, RequestDelegate inner, TopicSubscription subscription)
    {
        // Consumer span and handler duration/outcome metrics (services/DaprOrders.Sidecar/Telemetry).
        var delivery = TopicDelivery.Start(context, subscription);
        Exception? failure = null;
        try
        {
            await inner(context);
        }
        catch (MalformedCloudEventException ex)
        {
            failure = ex;
            var logger = Logger(context);
            LogDropped(logger, context.Request.Path, ex.Message);
            if (!context.Response.HasStarted)
            {
                await TopicResponse.Drop().ExecuteAsync(context);
            }
        }
        catch (BadHttpRequestException ex)
        {
            // The request itself is unreadable (e.g. a body beyond Kestrel's MaxRequestBodySize): the client's error,
            // answered with its 4xx like any other endpoint, not a handler failure (500).
            failure = ex;
            LogDropped(Logger(context), context.Request.Path, ex.Message);
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                await TypedResults.Problem(statusCode: ex.StatusCode, title: "The delivery could not be read", detail: ex.Message)
                    .ExecuteAsync(context);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            failure = ex;
            LogHandlerFailed(Logger(context), context.Request.Path, ex);
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                await TypedResults.Problem(
                        statusCode: StatusCodes.Status500InternalServerError,
                        title: "The event handler failed",
                        detail: "The delivery will be retried according to the pubsub's resiliency policy.")
                    .ExecuteAsync(context);
            }
        }
        finally
        {
            delivery.Complete(context, failure);
        }
    }

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("DaprOrders.Sidecar.AppCallbacks.TopicDelivery");

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Dropping undeliverable event at {Path}: {Reason}")]
    private static partial void LogDropped(ILogger logger, PathString path, string reason);

    [LoggerMessage(EventId = 21, Level = LogLevel.Error, Message = "Event handler at {Path} failed; daprd will retry")]
    private static partial void LogHandlerFailed(ILogger logger, PathString path, Exception exception);

    private sealed class TopicDeliveryGuard
    {
        public static readonly TopicDeliveryGuard Instance = new();
    }
}

public static class DaprSubscribeEndpointExtensions
{
    /// <summary>
    /// Maps <c>GET /dapr/subscribe</c>, generated from every endpoint's <see cref="TopicSubscription"/> metadata in
    /// Dapr's v2 shape (<c>routes.rules</c> + <c>routes.default</c>). Protected by the app token.
    /// Dapr docs: reference/api/pubsub_api#provide-a-route-for-dapr-to-discover-topic-subscriptions
    /// </summary>
    public static IEndpointConventionBuilder MapDaprSubscribeHandler(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGet("/dapr/subscribe", (HttpContext context) =>
            {
                var dataSource = context.RequestServices.GetRequiredService<EndpointDataSource>();
                var body = JsonSerializer.SerializeToUtf8Bytes(SubscriptionDiscovery.Build(dataSource.Endpoints),
                    SidecarJsonContext.Default.IReadOnlyListSubscriptionWire);
                return TypedResults.Bytes(body, "application/json");
            })
            .ExcludeFromDescription()
            .RequireDaprAppToken();
    }
}

internal static class SubscriptionDiscovery
{
    public static IReadOnlyList<SubscriptionWire> Build(IEnumerable<Endpoint> endpoints)
    {
        var declared = new List<(TopicSubscription Subscription, string Path)>();
        foreach (var endpoint in endpoints.OfType<RouteEndpoint>())
        {
            foreach (var subscription in endpoint.Metadata.GetOrderedMetadata<TopicSubscription>())
            {
                declared.Add((subscription, RoutePath(endpoint)));
            }
        }

        return declared
            .GroupBy(d => (d.Subscription.PubsubName, d.Subscription.Topic))
            .OrderBy(g => g.Key.PubsubName, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Topic, StringComparer.Ordinal)
            .Select(Combine)
            .ToList();
    }

    private static SubscriptionWire Combine(IGrouping<(string PubsubName, string Topic), (TopicSubscription Subscription, string Path)> group)
    {
        var name = $"{group.Key.PubsubName}/{group.Key.Topic}";
        var rules = group.Where(d => !string.IsNullOrEmpty(d.Subscription.Match))
            .OrderBy(d => d.Subscription.Priority)
            .Select(d => new SubscriptionRuleWire(d.Subscription.Match!, d.Path))
            .ToList();
        var defaults = group.Where(d => string.IsNullOrEmpty(d.Subscription.Match)).Select(d => d.Path).Distinct().ToList();
        if (defaults.Count > 1)
        {
            throw new InvalidOperationException(
                $"Subscription {name} has several default routes ({string.Join(", ", defaults)}); give all but one a match expression.");
        }

        var deadLetterTopics = group.Select(d => d.Subscription.DeadLetterTopic).OfType<string>().Distinct().ToList();
        if (deadLetterTopics.Count > 1)
        {
            throw new InvalidOperationException(
                $"Subscription {name} declares conflicting dead-letter topics ({string.Join(", ", deadLetterTopics)}).");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (subscription, _) in group)
        {
            foreach (var (key, value) in subscription.Metadata ?? new Dictionary<string, string>())
            {
                metadata[key] = value;
            }
        }

        var bulk = group.Select(d => d.Subscription.BulkSubscribe).FirstOrDefault(b => b is not null);
        return new SubscriptionWire(
            group.Key.PubsubName,
            group.Key.Topic,
            new SubscriptionRoutesWire(rules.Count > 0 ? rules : null, defaults.FirstOrDefault()),
            deadLetterTopics.FirstOrDefault(),
            metadata.Count > 0 ? metadata : null,
            bulk is null ? null : new BulkSubscribeWire(bulk.Enabled, bulk.MaxMessagesCount, bulk.MaxAwaitDurationMs));
    }

    private static string RoutePath(RouteEndpoint endpoint)
    {
        var raw = endpoint.RoutePattern.RawText;
        if (string.IsNullOrEmpty(raw) || endpoint.RoutePattern.Parameters.Count > 0)
        {
            throw new InvalidOperationException(
                $"Topic endpoint '{endpoint.DisplayName}' needs a literal route (daprd POSTs to a fixed path).");
        }

        return "/" + raw.TrimStart('~').TrimStart('/');
    }
}
