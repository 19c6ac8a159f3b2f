using System.Text.Json;
using Dapr.AspNetCore;
using DaprOrders.Audit.DeadLetters;
using DaprOrders.Audit.Timeline;
using DaprOrders.BuildingBlocks;
using DaprOrders.BuildingBlocks.Messaging;
using DaprOrders.Contracts;
using Microsoft.Extensions.Options;

namespace DaprOrders.Audit.Events;

public static class AuditSubscriptions
{
    /// <summary>The topics Audit records: every event topic, each with one default route. Dead letters have their own endpoint.</summary>
    public static IReadOnlyList<string> RecordedTopics => Topics.Business;

    /// <summary>
    /// Sidecar-facing subscriptions (<see cref="DaprAppExtensions.MapTopicEndpoints"/>). Audit keeps the CloudEvent itself,
    /// not only its data, so its endpoints receive the envelope.
    /// </summary>
    public static RouteGroupBuilder MapAuditSubscriptions(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        // Declared from configuration (bulk or single delivery), read after the host applied every source.
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<AuditOptions>>().Value;
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

    /// <summary>
    /// One status per entry, always (daprd retries an entry left without one): SUCCESS once it is on its timeline (a
    /// duplicate too), RETRY for the entries of an order whose timeline could not be written, DROP for an entry that is
    /// not a CloudEvent with an id, which daprd then copies to the dead letters. Never a non-2xx answer for one bad
    /// entry: daprd would retry the whole batch, and a 404 would drop it without dead-lettering anything.
    /// </summary>
    private static async Task<IResult> RecordBulkAsync(BulkSubscribeMessage<JsonElement> delivery, HttpContext context,
        AuditRecorder recorder, CancellationToken cancellationToken)
    {
        if (delivery.Entries is null)
        {
            // Not a bulk delivery (daprd always sends entries): unreadable, answered as the delivery middleware answers those.
            return TopicResponse.Drop();
        }

        var observed = delivery.Entries.Select(e => ObservedEvent.From(e.Event)).ToList();
        var readable = observed.OfType<ObservedEvent>().ToList();
        context.DescribeBulkDelivery([.. readable.Select(e => new DeliveredEvent(e.Id, e.Type, e.TraceParent))]);
        var recorded = await recorder.RecordDeliveredAsync(readable, cancellationToken);
        var next = 0;
        var statuses = new List<BulkSubscribeAppResponseEntry>(delivery.Entries.Count);
        for (var i = 0; i < delivery.Entries.Count; i++)
        {
            var status = observed[i] is null
                ? BulkSubscribeAppResponseStatus.DROP
                : recorded[next++] == TopicStatus.Success ? BulkSubscribeAppResponseStatus.SUCCESS : BulkSubscribeAppResponseStatus.RETRY;
            statuses.Add(new BulkSubscribeAppResponseEntry(delivery.Entries[i].EntryId, status));
        }

        return TypedResults.Ok(new BulkSubscribeAppResponse(statuses));
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
}
