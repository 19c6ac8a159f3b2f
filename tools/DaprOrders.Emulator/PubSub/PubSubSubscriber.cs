using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DaprOrders.Emulator.Actors;
using DaprOrders.Emulator.Diagnostics;
using DaprOrders.Emulator.Faults;
using DaprOrders.Emulator.Hosting;
using DaprOrders.Emulator.Resiliency;
using DaprOrders.Emulator.Resources;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Emulator.PubSub;

/// <summary>A subscription the emulator refuses (for example CEL outside the supported subset); the app connection fails with it.</summary>
public sealed class SubscriptionRejectedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The subscriber side of daprd for every app: reads GET /dapr/subscribe once the app is up, merges it with the
/// declarative Subscriptions, starts the consumer groups, and delivers each message per dapr/dapr release-1.17 pkg/runtime/subscription/subscription.go
/// (routing, outcome table, inbound resiliency, dead-lettering).
/// </summary>
public sealed partial class PubSubSubscriber(
    PubSubBroker broker,
    PubSubComponents components,
    PubSubPublisher publisher,
    ResiliencyPolicies resiliency,
    FaultInjection faults,
    EmulatorResources resources,
    EmulatedApps apps,
    EmulatorClock clock,
    ILogger<PubSubSubscriber> logger) : IAppConnectionParticipant, ISidecarMetadataContributor
{
    private static readonly HashSet<string> ExcludedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-type", "content-length", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "host",
    };

    /// <summary>After actors (daprd reads /dapr/config before /dapr/subscribe).</summary>
    public int Order => 100;

    public async Task OnAppConnectedAsync(AppSidecar sidecar, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sidecar);
        if (sidecar.AppChannel is null)
        {
            // No app port, no app channel: daprd starts no subscriptions.
            return;
        }

        var programmatic = await ReadProgrammaticAsync(sidecar, cancellationToken);
        var wanted = new Dictionary<(string, string), ActiveSubscription>();
        foreach (var subscription in programmatic)
        {
            wanted.TryAdd((subscription.Component.Name, subscription.Topic), subscription);
        }

        foreach (var declared in resources.SubscriptionsFor(sidecar.AppId))
        {
            // Programmatic replaces declarative for the same pubsub+topic; the first declarative wins among duplicates.
            if (wanted.ContainsKey((declared.PubsubName, declared.Topic)))
            {
                continue;
            }

            var component = components.Find(sidecar.AppId, declared.PubsubName);
            if (component is null)
            {
                LogUnknownPubsub(sidecar.AppId, declared.PubsubName, declared.Topic);
                continue;
            }

            wanted[(declared.PubsubName, declared.Topic)] = new ActiveSubscription(sidecar.AppId, component, declared.Topic, declared.Rules,
                declared.DeadLetterTopic, declared.Metadata, declared.BulkSubscribe, SubscriptionType.Declarative);
        }

        foreach (var group in broker.GroupsOf(sidecar.AppId).Where(g => !wanted.ContainsKey((g.Pubsub, g.Topic))).ToList())
        {
            await group.PauseAsync();
            broker.RemoveGroup(group);
        }

        foreach (var subscription in wanted.Values)
        {
            if (!subscription.Component.IsSubscribeAllowed(sidecar.AppId, subscription.Topic))
            {
                LogSubscribeForbidden(sidecar.AppId, subscription.Component.Name, subscription.Topic);
                continue;
            }

            broker.Group(sidecar.AppId, subscription.Component.Name, subscription.Topic).Start(subscription, DeliverAsync, DeliverBatchAsync);
        }
    }

    public async Task OnAppDisconnectedAsync(AppSidecar sidecar, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sidecar);
        foreach (var group in broker.GroupsOf(sidecar.AppId).ToList())
        {
            await group.PauseAsync();
        }
    }

    public void Contribute(AppSidecar sidecar, JsonObject metadata)
    {
        ArgumentNullException.ThrowIfNull(sidecar);
        ArgumentNullException.ThrowIfNull(metadata);
        var subscriptions = new JsonArray();
        foreach (var s in broker.SubscriptionsOf(sidecar.AppId).OrderBy(s => s.Component.Name, StringComparer.Ordinal).ThenBy(s => s.Topic, StringComparer.Ordinal))
        {
            var rules = new JsonArray();
            foreach (var rule in s.CompiledRules)
            {
                rules.Add(new JsonObject { ["match"] = rule.Match?.Text ?? string.Empty, ["path"] = rule.Path });
            }

            var subscriptionMetadata = new JsonObject();
            foreach (var (key, value) in s.Metadata)
            {
                subscriptionMetadata[key] = value;
            }

            subscriptions.Add(new JsonObject
            {
                ["pubsubname"] = s.Component.Name,
                ["topic"] = s.Topic,
                ["metadata"] = subscriptionMetadata,
                ["rules"] = rules,
                ["deadLetterTopic"] = s.DeadLetterTopic ?? string.Empty,
                ["type"] = s.Type == SubscriptionType.Declarative ? "DECLARATIVE" : "PROGRAMMATIC",
            });
        }

        if (subscriptions.Count > 0)
        {
            metadata["subscriptions"] = subscriptions;
        }
    }

    private async Task<List<ActiveSubscription>> ReadProgrammaticAsync(AppSidecar sidecar, CancellationToken cancellationToken)
    {
        var call = await resiliency.ForAppInitialization(sidecar.AppId).ExecuteAsync(
            async token =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/dapr/subscribe");
                request.Headers.TryAddWithoutValidation("dapr-app-id", sidecar.AppId);
                try
                {
                    sidecar.Exchanges.CountDelivery(AppDelivery.SubscribeProbe);
                    return Attempt<HttpResponseMessage>.Succeeded(await sidecar.AppChannel!.SendAsync(request, token));
                }
                catch (HttpRequestException ex)
                {
                    return Attempt<HttpResponseMessage>.Failed(null, error: ex);
                }
            },
            cancellationToken);
        if (call.Value is not { } response)
        {
            LogSubscribeCallFailed(call.Error, sidecar.AppId, call.Attempts);
            return [];
        }

        using (response)
        {
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return [];
            }

            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                LogSubscribeStatus(sidecar.AppId, (int)response.StatusCode);
                return [];
            }

            if (body.Length == 0)
            {
                return [];
            }

            JsonArray items;
            try
            {
                items = JsonNode.Parse(body) as JsonArray ?? throw new JsonException("expected a JSON array");
            }
            catch (JsonException ex)
            {
                throw new SubscriptionRejectedException($"app {sidecar.AppId}: GET /dapr/subscribe returned invalid JSON: {ex.Message}", ex);
            }

            return items.OfType<JsonObject>().Select(item => ParseProgrammatic(sidecar.AppId, item)).OfType<ActiveSubscription>().ToList();
        }
    }

    private ActiveSubscription? ParseProgrammatic(string appId, JsonObject item)
    {
        // Go decodes JSON field names case-insensitively (the .NET SDK sends pubsubName).
        var pubsubName = item.Field("pubsubname")?.ToString() ?? string.Empty;
        var topic = item.Field("topic")?.ToString() ?? string.Empty;
        var rules = new List<SubscriptionRule>();
        var routes = item.Field("routes") as JsonObject;
        if (routes is not null && routes.Field("rules") is JsonArray ruleItems)
        {
            foreach (var rule in ruleItems.OfType<JsonObject>())
            {
                rules.Add(new SubscriptionRule(rule.Field("match")?.ToString() ?? string.Empty, rule.Field("path")?.ToString() ?? string.Empty));
            }
        }

        var fallback = (routes is null ? null : routes.Field("default")?.ToString()) is { Length: > 0 } d ? d : item.Field("route")?.ToString();
        if (!string.IsNullOrEmpty(fallback))
        {
            rules.Add(new SubscriptionRule(string.Empty, fallback));
        }

        if (rules.Count == 0)
        {
            LogNoRoutes(appId, pubsubName, topic);
            return null;
        }

        foreach (var rule in rules.Where(r => r.Match.Length > 0))
        {
            try
            {
                RoutingExpression.Parse(rule.Match);
            }
            catch (FormatException ex)
            {
                throw new SubscriptionRejectedException($"app {appId}: subscription to {pubsubName}/{topic} from GET /dapr/subscribe: {ex.Message}", ex);
            }
        }

        var component = components.Find(appId, pubsubName);
        if (component is null)
        {
            LogUnknownPubsub(appId, pubsubName, topic);
            return null;
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (item.Field("metadata") is JsonObject metadataItems)
        {
            foreach (var (key, value) in metadataItems)
            {
                metadata[key] = value?.ToString() ?? string.Empty;
            }
        }

        BulkSubscribeOptions? bulk = null;
        if (item.Field("bulkSubscribe") is JsonObject bulkItem)
        {
            bulk = new BulkSubscribeOptions(
                bulkItem.Field("enabled") is JsonValue e && e.GetValueKind() == JsonValueKind.True,
                bulkItem.Field("maxMessagesCount") is JsonValue c && c.TryGetValue<int>(out var count) && count > 0 ? count : 100,
                bulkItem.Field("maxAwaitDurationMs") is JsonValue w && w.TryGetValue<int>(out var wait) && wait > 0 ? wait : 1000);
        }

        var deadLetterTopic = item.Field("deadLetterTopic")?.ToString();
        return new ActiveSubscription(appId, component, topic, rules, string.IsNullOrEmpty(deadLetterTopic) ? null : deadLetterTopic,
            metadata, bulk, SubscriptionType.Programmatic);
    }

    private async Task DeliverAsync(ActiveSubscription subscription, QueuedMessage queued, CancellationToken connection)
    {
        var message = queued.Message;
        var appId = subscription.AppId;
        try
        {
            if (faults.Decide(appId, message.Topic, FaultKind.Drop).Count > 0)
            {
                LogFaultDropped(appId, message.Topic);
                return;
            }

            foreach (var delay in faults.Decide(appId, message.Topic, FaultKind.Delay))
            {
                await WaitOnClockAsync(delay.Delay, connection);
            }

            if (queued.AllowDuplicate && faults.Decide(appId, message.Topic, FaultKind.Duplicate).Count > 0)
            {
                broker.Group(appId, message.PubsubName, message.Topic).Enqueue(queued with { AllowDuplicate = false });
            }

            await ProcessAsync(subscription, message, connection);
        }
        catch (OperationCanceledException) when (connection.IsCancellationRequested)
        {
            // The app went away mid-delivery: the broker still holds the message (un-acked), so it is redelivered.
            broker.Group(appId, message.PubsubName, message.Topic).Enqueue(queued);
        }
        catch (Exception ex)
        {
            LogDeliveryCrashed(ex, appId, message.Topic);
        }
    }

    /// <summary>Parse, expiry and routing before any call into the app; null when the message was dropped or dead-lettered.</summary>
    private async Task<PreparedDelivery?> PrepareAsync(ActiveSubscription subscription, BrokerMessage message)
    {
        var appId = subscription.AppId;
        bool raw;
        try
        {
            raw = CloudEventEnvelope.IsRawPayload(subscription.Metadata);
        }
        catch (FormatException)
        {
            await DeadLetterAsync(subscription, message, "invalid rawPayload subscription metadata");
            return null;
        }

        JsonObject cloudEvent;
        byte[] body;
        if (raw)
        {
            cloudEvent = CloudEventEnvelope.FromRawPayload(message.Data, message.Topic, message.PubsubName, message.Metadata);
            body = GoJson.Serialize(cloudEvent);
        }
        else
        {
            try
            {
                cloudEvent = JsonNode.Parse(message.Data) as JsonObject ?? throw new JsonException("not a JSON object");
            }
            catch (JsonException)
            {
                await DeadLetterAsync(subscription, message, "message is not a CloudEvent (use rawPayload for raw messages)");
                return null;
            }

            body = message.Data;
        }

        if (CloudEventEnvelope.HasExpired(cloudEvent, clock.Time.GetUtcNow()))
        {
            LogExpired(appId, message.Topic, cloudEvent["id"]?.ToString());
            await DeadLetterAsync(subscription, message, null);
            return null;
        }

        string? path;
        try
        {
            path = Route(subscription, cloudEvent);
        }
        catch (RoutingEvaluationException ex)
        {
            LogRoutingFailed(appId, message.Topic, ex.Message);
            await DeadLetterAsync(subscription, message, ex.Message);
            return null;
        }

        if (path is null)
        {
            // No rule matched: acked (dropped), copied to the dead-letter topic if configured.
            LogNoRouteMatched(appId, message.Topic);
            await DeadLetterAsync(subscription, message, null);
            return null;
        }

        return new PreparedDelivery(cloudEvent, body, raw ? message.Data : null, path);
    }

    private async Task ProcessAsync(ActiveSubscription subscription, BrokerMessage message, CancellationToken connection)
    {
        var appId = subscription.AppId;
        if (await PrepareAsync(subscription, message) is not { } prepared)
        {
            return;
        }

        var (cloudEvent, body, _, path) = prepared;
        var sidecar = apps.Find(appId) ?? throw new InvalidOperationException($"app {appId} is gone");
        var pipeline = resiliency.ForComponentInbound(appId, subscription.Component.Definition);
        var result = await pipeline.ExecuteAsync(
            token => AttemptAsync(sidecar, subscription, message, cloudEvent, body, path, token),
            connection,
            waiting => MarkWaiting(waiting));
        switch (result.Outcome)
        {
            case AttemptOutcome.Success when result.Value == DeliveryStatus.Drop:
                LogDropped(appId, message.Topic, result.HttpStatusCode ?? 200);
                await DeadLetterAsync(subscription, message, null);
                break;
            case AttemptOutcome.Success:
                break;
            default:
                LogDeliveryFailed(appId, message.Topic, result.Attempts, result.Error?.Message ?? $"status {result.HttpStatusCode}");
                await DeadLetterAsync(subscription, message, "retries exhausted");
                break;
        }
    }

    private async Task<Attempt<DeliveryStatus>> AttemptAsync(
        AppSidecar sidecar, ActiveSubscription subscription, BrokerMessage message, JsonObject cloudEvent, byte[] body, string path, CancellationToken cancellationToken)
    {
        if (faults.Decide(subscription.AppId, message.Topic, FaultKind.Fail).Count > 0)
        {
            return Attempt<DeliveryStatus>.Failed(DeliveryStatus.Retry, error: new HttpRequestException("injected fault: connection failed"));
        }

        var channel = sidecar.AppChannel ?? throw new InvalidOperationException($"app {sidecar.AppId} has no app channel");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(CloudEventEnvelope.CloudEventContentType);
        foreach (var (key, value) in message.Metadata)
        {
            var name = key.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase) ? "dapr-" + key : key;
            if (!ExcludedHeaders.Contains(name) && !name.Equals("pubsubName", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(name.ToLowerInvariant(), value);
            }
        }

        request.Headers.TryAddWithoutValidation("Pubsubname", subscription.Component.Name);
        var parent = cloudEvent["traceparent"]?.ToString() is { Length: > 0 } tp ? tp : cloudEvent["traceid"]?.ToString();
        if (TraceContext.TryParse(parent, out _))
        {
            request.Headers.TryAddWithoutValidation("traceparent", TraceContext.ChildOf(parent).TraceParent);
            if (cloudEvent["tracestate"]?.ToString() is { Length: > 0 } traceState)
            {
                request.Headers.TryAddWithoutValidation("tracestate", traceState);
            }
        }

        sidecar.Exchanges.CountDelivery(AppDelivery.TopicEvent);
        using var response = await channel.SendAsync(request, cancellationToken);
        var status = (int)response.StatusCode;
        if (status == 404)
        {
            return new Attempt<DeliveryStatus>(AttemptOutcome.Success, DeliveryStatus.Drop, 404);
        }

        if (status is < 200 or > 299)
        {
            return Attempt<DeliveryStatus>.Failed(DeliveryStatus.Retry, status);
        }

        var responseBody = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return ParseStatus(responseBody) switch
        {
            DeliveryStatus.Success => Attempt<DeliveryStatus>.Succeeded(DeliveryStatus.Success),
            DeliveryStatus.Drop => Attempt<DeliveryStatus>.Succeeded(DeliveryStatus.Drop),
            // RETRY carries no status code, so matching.httpStatusCodes does not filter it.
            _ => Attempt<DeliveryStatus>.Failed(DeliveryStatus.Retry, error: new InvalidOperationException("app returned RETRY or an unknown status")),
        };
    }

    /// <summary>Section 2.4: empty or unparseable 2xx bodies are SUCCESS; the status string is case-sensitive.</summary>
    internal static DeliveryStatus ParseStatus(byte[] body)
    {
        if (body.Length == 0)
        {
            return DeliveryStatus.Success;
        }

        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return DeliveryStatus.Success;
        }

        if (parsed is not JsonObject obj)
        {
            return DeliveryStatus.Success;
        }

        var status = obj.FirstOrDefault(p => string.Equals(p.Key, "status", StringComparison.OrdinalIgnoreCase)).Value;
        if (status is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
        {
            return status is null ? DeliveryStatus.Success : DeliveryStatus.Retry;
        }

        return value.GetValue<string>() switch
        {
            "" or "SUCCESS" => DeliveryStatus.Success,
            "DROP" => DeliveryStatus.Drop,
            _ => DeliveryStatus.Retry,
        };
    }

    private static string? Route(ActiveSubscription subscription, JsonObject cloudEvent)
    {
        foreach (var (match, path) in subscription.CompiledRules)
        {
            if (match is null || match.Evaluate(cloudEvent))
            {
                return path;
            }
        }

        return null;
    }

    private Task DeadLetterAsync(ActiveSubscription subscription, BrokerMessage message, string? reason)
    {
        if (subscription.DeadLetterTopic is not { } deadLetterTopic)
        {
            if (reason is not null)
            {
                // pubsub.in-memory has no redelivery: the error is logged and the message is gone.
                LogMessageLost(subscription.AppId, message.Topic, reason);
            }

            return Task.CompletedTask;
        }

        try
        {
            var metadata = new Dictionary<string, string>(message.Metadata, StringComparer.Ordinal) { ["pubsubName"] = message.PubsubName };
            publisher.PublishBytes(subscription.AppId, subscription.Component.Name, deadLetterTopic, message.Data, metadata);
        }
        catch (PublishRejectedException ex)
        {
            LogDeadLetterFailed(subscription.AppId, deadLetterTopic, ex.Message);
        }

        return Task.CompletedTask;
    }

    private async Task WaitOnClockAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        using var released = clock.BeginWork();
        var wait = clock.DelayAsync(delay, cancellationToken);
        MarkWaiting(true);
        try
        {
            await wait;
        }
        finally
        {
            MarkWaiting(false);
        }
    }

    // A delivery sleeping on the clock is not in flight: tests advance a fake clock once nothing is in flight.
    // Counters move so that "in flight + waiting" never drops to zero in between.
    private void MarkWaiting(bool waiting, int messages = 1)
    {
        if (waiting)
        {
            broker.CountWaitingForRetry(messages);
            broker.CountDelivering(-messages);
        }
        else
        {
            broker.CountDelivering(messages);
            broker.CountWaitingForRetry(-messages);
        }
    }

    /// <summary>
    /// Bulk subscribe (dapr/dapr release-1.17 pkg/runtime/subscription/bulksubscription.go): one request per matched route with the batch's entries; resiliency retries only
    /// the entries that failed; exhausted entries go to the dead-letter topic. Delay faults do not apply to batches.
    /// </summary>
    private async Task DeliverBatchAsync(ActiveSubscription subscription, IReadOnlyList<QueuedMessage> batch, CancellationToken connection)
    {
        var appId = subscription.AppId;
        var entries = new List<BulkEntry>();
        try
        {
            foreach (var queued in batch)
            {
                var message = queued.Message;
                if (faults.Decide(appId, message.Topic, FaultKind.Drop).Count > 0)
                {
                    LogFaultDropped(appId, message.Topic);
                    continue;
                }

                if (queued.AllowDuplicate && faults.Decide(appId, message.Topic, FaultKind.Duplicate).Count > 0)
                {
                    broker.Group(appId, message.PubsubName, message.Topic).Enqueue(queued with { AllowDuplicate = false });
                }

                if (await PrepareAsync(subscription, message) is { } prepared)
                {
                    entries.Add(new BulkEntry(Guid.NewGuid().ToString(), queued, prepared.CloudEvent, prepared.Raw, prepared.Path));
                }
            }

            var sidecar = apps.Find(appId) ?? throw new InvalidOperationException($"app {appId} is gone");
            foreach (var route in entries.GroupBy(e => e.Path))
            {
                var pending = route.ToList();
                var pipeline = resiliency.ForComponentInbound(appId, subscription.Component.Definition);
                var result = await pipeline.ExecuteAsync(
                    token => BulkAttemptAsync(sidecar, subscription, route.Key, pending, token),
                    connection,
                    waiting => MarkWaiting(waiting, batch.Count));
                foreach (var failed in pending)
                {
                    // One line per exhausted message, as for single deliveries (the chaos run counts them).
                    LogDeliveryFailed(appId, subscription.Topic, result.Attempts, result.Error?.Message ?? $"status {result.HttpStatusCode}");
                    await DeadLetterAsync(subscription, failed.Queued.Message, "retries exhausted");
                }
            }
        }
        catch (OperationCanceledException) when (connection.IsCancellationRequested)
        {
            foreach (var queued in batch)
            {
                broker.Group(appId, queued.Message.PubsubName, queued.Message.Topic).Enqueue(queued);
            }
        }
        catch (Exception ex)
        {
            LogDeliveryCrashed(ex, appId, subscription.Topic);
        }
    }

    private async Task<Attempt<int>> BulkAttemptAsync(AppSidecar sidecar, ActiveSubscription subscription, string path, List<BulkEntry> pending, CancellationToken cancellationToken)
    {
        if (faults.Decide(subscription.AppId, subscription.Topic, FaultKind.Fail).Count > 0)
        {
            return Attempt<int>.Failed(pending.Count, error: new HttpRequestException("injected fault: connection failed"));
        }

        var entries = new JsonArray();
        foreach (var entry in pending)
        {
            var metadata = new JsonObject();
            foreach (var (key, value) in entry.Queued.Message.Metadata)
            {
                metadata[key] = value;
            }

            entries.Add(new JsonObject
            {
                ["entryId"] = entry.EntryId,
                ["event"] = entry.Raw is { } raw ? Convert.ToBase64String(raw) : entry.CloudEvent.DeepClone(),
                ["metadata"] = metadata,
                ["contentType"] = entry.Raw is null ? CloudEventEnvelope.CloudEventContentType : "application/octet-stream",
            });
        }

        var body = new JsonObject
        {
            ["id"] = Guid.NewGuid().ToString(),
            ["type"] = "com.dapr.event.sent.bulk",
            ["topic"] = subscription.Topic,
            ["pubsubname"] = subscription.Component.Name,
            ["metadata"] = new JsonObject(),
            ["entries"] = entries,
        };
        var channel = sidecar.AppChannel ?? throw new InvalidOperationException($"app {sidecar.AppId} has no app channel");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(GoJson.Serialize(body)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Pubsubname", subscription.Component.Name);
        sidecar.Exchanges.CountDelivery(AppDelivery.TopicBulk);
        using var response = await channel.SendAsync(request, cancellationToken);
        var status = (int)response.StatusCode;
        if (status == 404)
        {
            // 404: every entry is dropped, and (unlike single delivery) not dead-lettered.
            for (var i = 0; i < pending.Count; i++)
            {
                LogDropped(sidecar.AppId, subscription.Topic, status);
            }

            pending.Clear();
            return Attempt<int>.Succeeded(0);
        }

        if (status is < 200 or > 299)
        {
            return Attempt<int>.Failed(pending.Count, status);
        }

        // A 2xx body daprd cannot decode means RETRY for every entry.
        var statuses = ParseBulkStatuses(await response.Content.ReadAsByteArrayAsync(cancellationToken)) ?? [];

        // Missing entries or empty statuses mean RETRY here (unlike single delivery).
        foreach (var entry in pending.ToList())
        {
            switch (statuses.GetValueOrDefault(entry.EntryId))
            {
                case "SUCCESS":
                    pending.Remove(entry);
                    break;
                case "DROP":
                    pending.Remove(entry);
                    LogDropped(sidecar.AppId, subscription.Topic, status);
                    await DeadLetterAsync(subscription, entry.Queued.Message, null);
                    break;
            }
        }

        return pending.Count == 0
            ? Attempt<int>.Succeeded(0)
            : Attempt<int>.Failed(pending.Count, error: new InvalidOperationException($"{pending.Count} bulk entries to retry"));
    }

    /// <summary>
    /// Decodes a bulk answer as daprd does (Go's encoding/json into <c>{"statuses":[{"entryId","status"}]}</c>, field
    /// names case-insensitive, only the first JSON value read): entry id to status, or null when decoding fails, which
    /// makes every entry RETRY, also when only one item has a field of the wrong type. Null fields read as empty.
    /// </summary>
    internal static Dictionary<string, string>? ParseBulkStatuses(byte[] body)
    {
        JsonElement answer;
        try
        {
            var reader = new Utf8JsonReader(body);
            answer = JsonElement.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            return null;
        }

        if (answer.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (answer.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var statuses = new Dictionary<string, string>(StringComparer.Ordinal);
        var items = GoJsonFields.Property(answer, "statuses");
        if (items is not { ValueKind: not JsonValueKind.Null } list)
        {
            return statuses;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (item.ValueKind != JsonValueKind.Object
                || GoString(GoJsonFields.Property(item, "entryId")) is not { } entryId
                || GoString(GoJsonFields.Property(item, "status")) is not { } status)
            {
                return null;
            }

            statuses[entryId] = status;
        }

        return statuses;

        // A Go string field: absent or null is "", anything but a string fails the decode.
        static string? GoString(JsonElement? value) => value switch
        {
            null or { ValueKind: JsonValueKind.Null } => string.Empty,
            { ValueKind: JsonValueKind.String } text => text.GetString(),
            _ => null,
        };
    }

    private sealed record PreparedDelivery(JsonObject CloudEvent, byte[] Body, byte[]? Raw, string Path);

    private sealed record BulkEntry(string EntryId, QueuedMessage Queued, JsonObject CloudEvent, byte[]? Raw, string Path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "App {AppId}: subscription to {Pubsub}/{Topic} refers to an unknown or out-of-scope pubsub; not started")]
    private partial void LogUnknownPubsub(string appId, string pubsub, string topic);

    [LoggerMessage(Level = LogLevel.Error, Message = "App {AppId} is not allowed to subscribe to topic {Topic} on {Pubsub} (subscriptionScopes/allowedTopics/protectedTopics); subscription not started")]
    private partial void LogSubscribeForbidden(string appId, string pubsub, string topic);

    [LoggerMessage(Level = LogLevel.Error, Message = "App {AppId}: GET /dapr/subscribe failed after {Attempts} attempts; no programmatic subscriptions")]
    private partial void LogSubscribeCallFailed(Exception? exception, string appId, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "App {AppId}: GET /dapr/subscribe answered {Status}; no programmatic subscriptions")]
    private partial void LogSubscribeStatus(string appId, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "App {AppId}: subscription to {Pubsub}/{Topic} has no routes; discarded")]
    private partial void LogNoRoutes(string appId, string pubsub, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fault injection dropped a message for app {AppId} on topic {Topic}")]
    private partial void LogFaultDropped(string appId, string topic);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery to app {AppId} on topic {Topic} crashed")]
    private partial void LogDeliveryCrashed(Exception exception, string appId, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "App {AppId}: message {Id} on topic {Topic} expired before delivery; dropped")]
    private partial void LogExpired(string appId, string topic, string? id);

    [LoggerMessage(Level = LogLevel.Error, Message = "App {AppId}: routing a message on topic {Topic} failed: {Error}")]
    private partial void LogRoutingFailed(string appId, string topic, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "App {AppId}: no routing rule matched a message on topic {Topic}; dropped")]
    private partial void LogNoRouteMatched(string appId, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "App {AppId} dropped a message on topic {Topic} (status {Status})")]
    private partial void LogDropped(string appId, string topic, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery to app {AppId} on topic {Topic} failed after {Attempts} attempt(s): {Error}")]
    private partial void LogDeliveryFailed(string appId, string topic, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "App {AppId}: message on topic {Topic} is lost ({Reason}); pubsub.in-memory does not redeliver and no deadLetterTopic is set")]
    private partial void LogMessageLost(string appId, string topic, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "App {AppId}: publishing to dead-letter topic {Topic} failed: {Error}")]
    private partial void LogDeadLetterFailed(string appId, string topic, string error);
}

internal enum DeliveryStatus
{
    Success,
    Retry,
    Drop,
}
