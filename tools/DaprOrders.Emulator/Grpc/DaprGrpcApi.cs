using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr.Client.Autogen.Grpc.v1;
using DaprOrders.Emulator.Hosting;
using DaprOrders.Emulator.PubSub;
using DaprOrders.Emulator.State;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using BulkStateItem = Dapr.Client.Autogen.Grpc.v1.BulkStateItem;

namespace DaprOrders.Emulator.Grpc;

/// <summary>
/// The gRPC door of one sidecar: the RPCs of dapr.proto.runtime.v1.Dapr that the Dapr .NET SDK's DaprClient sends
/// for state, pub/sub and metadata. It parses the protobuf messages and calls the same cores as the HTTP door
/// (<see cref="StateBuildingBlock"/>, <see cref="PubSubPublisher"/>, <see cref="SidecarMetadata"/>); status codes and
/// messages follow dapr/dapr@3289e4d pkg/api/grpc/grpc.go, pkg/api/errors and pkg/messages/predefined.go.
/// </summary>
public sealed class DaprGrpcApi(AppSidecar sidecar, StateBuildingBlock state, PubSubPublisher publisher, SidecarMetadata metadata)
{
    private static readonly Empty Done = new();

    private string AppId => sidecar.AppId;

    public Task<GetStateResponse> GetState(GetStateRequest request, ServerCallContext context) => RunAsync(async () =>
    {
        var response = new GetStateResponse();
        if (await state.GetAsync(AppId, request.StoreName, request.Key, context.CancellationToken) is { } item)
        {
            response.Data = ByteString.CopyFrom(item.Value.Span);
            response.Etag = item.ETag;
            if (item.ExpiresAt is { } expiresAt)
            {
                response.Metadata["ttlExpireTime"] = CloudEventEnvelope.FormatTime(expiresAt);
            }
        }

        return response;
    });

    public Task<GetBulkStateResponse> GetBulkState(GetBulkStateRequest request, ServerCallContext context) => RunAsync(async () =>
    {
        var response = new GetBulkStateResponse();
        foreach (var (key, item) in await state.BulkGetAsync(AppId, request.StoreName, request.Keys, context.CancellationToken))
        {
            response.Items.Add(item is null
                ? new BulkStateItem { Key = key }
                : new BulkStateItem { Key = key, Data = ByteString.CopyFrom(item.Value.Span), Etag = item.ETag });
        }

        return response;
    });

    // daprd looks the store up before it reads the items, so an unknown store wins over a bad item.
    public Task<Empty> SaveState(SaveStateRequest request, ServerCallContext context) => RunAsync(async () =>
    {
        state.Resolve(AppId, request.StoreName);
        var items = new List<StateWrite>();
        foreach (var item in request.States)
        {
            if (item.Key.Length == 0)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "state key cannot be empty"));
            }

            items.Add(Write(true, item, JsonValueOf(item)));
        }

        await state.SaveAsync(AppId, request.StoreName, items, context.CancellationToken);
        return Done;
    });

    public Task<Empty> DeleteState(DeleteStateRequest request, ServerCallContext context) => RunAsync(async () =>
    {
        await state.DeleteAsync(AppId, request.StoreName, [(request.Key, request.Etag?.Value)], context.CancellationToken);
        return Done;
    });

    public Task<Empty> DeleteBulkState(DeleteBulkStateRequest request, ServerCallContext context) => RunAsync(async () =>
    {
        try
        {
            await state.DeleteAsync(AppId, request.StoreName, [.. request.States.Select(s => (s.Key, s.Etag?.Value))], context.CancellationToken);
        }
        catch (StateRequestException ex) when (ex.Kind == StateErrorKind.ETagMismatch)
        {
            // daprd words a bulk delete's failure with the store name (messages.ErrStateDeleteBulk).
            throw new StateRequestException(ex.Kind, ex.ErrorCode,
                $"failed deleting state in state store {request.StoreName}: {ex.Message[(ex.Message.IndexOf(": ", StringComparison.Ordinal) + 2)..]}");
        }

        return Done;
    });

    public Task<Empty> ExecuteStateTransaction(ExecuteStateTransactionRequest request, ServerCallContext context) => RunAsync(async () =>
    {
        state.Resolve(AppId, request.StoreName);
        var items = new List<StateWrite>();
        foreach (var operation in request.Operations)
        {
            if (operation.OperationType is not ("upsert" or "delete"))
            {
                throw new RpcException(new Status(StatusCode.Unimplemented, $"operation type {operation.OperationType} not supported"));
            }

            // daprd hands a transaction's value bytes to the store as they are, whatever the content type.
            var item = operation.Request ?? new StateItem();
            items.Add(Write(operation.OperationType == "upsert", item, StateValue.FromBytes(item.Value.Memory)));
        }

        await state.TransactAsync(AppId, request.StoreName, items, Header(context, "traceparent"), Header(context, "tracestate"), context.CancellationToken);
        return Done;
    });

    public Task<Empty> PublishEvent(PublishEventRequest request, ServerCallContext context) => Run(() =>
    {
        publisher.Publish(new PublishRequest(AppId, request.PubsubName, request.Topic, request.DataContentType, request.Data.Memory,
            request.Metadata, Header(context, "traceparent"), Header(context, "tracestate")));
        return Done;
    });

    public Task<BulkPublishResponse> BulkPublishEvent(BulkPublishRequest request, ServerCallContext context) => Run(() =>
    {
        publisher.ResolveForPublish(AppId, request.PubsubName, request.Topic);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var entries = new List<(string, PublishRequest)>();
        foreach (var entry in request.Entries)
        {
            if (entry.EntryId.Length == 0 || !seen.Add(entry.EntryId))
            {
                throw new PublishRejectedException(400, "ERR_PUBSUB_EVENTS_SER",
                    $"error when unmarshaling the request for topic {request.Topic} pubsub {request.PubsubName}: entryId is duplicated or not present for entry");
            }

            // Request metadata reaches an entry only when the entry has metadata of its own (utils.PopulateMetadataForBulkPublishEntry).
            var entryMetadata = new Dictionary<string, string>(StringComparer.Ordinal);
            if (entry.Metadata.Count > 0)
            {
                foreach (var (key, value) in request.Metadata.Concat(entry.Metadata))
                {
                    entryMetadata[key] = value;
                }
            }
            else if (request.Metadata.TryGetValue("rawPayload", out var raw))
            {
                entryMetadata["rawPayload"] = raw;
            }

            entries.Add((entry.EntryId, new PublishRequest(AppId, request.PubsubName, request.Topic, entry.ContentType, entry.Event.Memory,
                entryMetadata, Header(context, "traceparent"))));
        }

        var response = new BulkPublishResponse();
        foreach (var (entryId, error) in publisher.PublishBulk(entries))
        {
            response.FailedEntries.Add(new BulkPublishResponseFailedEntry { EntryId = entryId, Error = error });
        }

        return response;
    });

    public Task<GetMetadataResponse> GetMetadata(GetMetadataRequest request, ServerCallContext context) =>
        Run(() => DaprGrpcMetadata.ToMessage(metadata.Describe(sidecar)));

    public Task<Empty> SetMetadata(SetMetadataRequest request, ServerCallContext context) => Run(() =>
    {
        metadata.SetExtended(AppId, request.Key, request.Value);
        return Done;
    });

    private static StateWrite Write(bool upsert, StateItem item, StateValue value) => new(
        upsert,
        item.Key,
        value,
        item.Etag?.Value,
        item.Options?.Concurrency == StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite,
        item.Metadata);

    // SaveState decodes a value whose metadata says application/json, so the store holds it re-marshalled as over HTTP;
    // any other value is stored as the bytes sent.
    private static StateValue JsonValueOf(StateItem item)
    {
        if (item.Metadata.TryGetValue("contentType", out var contentType) && contentType == "application/json")
        {
            using var document = JsonDocument.Parse(item.Value.Memory);
            return StateValue.FromJson(document.RootElement);
        }

        return StateValue.FromBytes(item.Value.Memory);
    }

    private static string? Header(ServerCallContext context, string name) => context.RequestHeaders.GetValue(name);

    private static Task<T> Run<T>(Func<T> call) => RunAsync(() => Task.FromResult(call()));

    // Maps the cores' refusals to daprd's gRPC status; everything else the cores throw is a bug and surfaces as UNKNOWN.
    private static async Task<T> RunAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (StateRequestException ex)
        {
            throw new RpcException(new Status(DaprGrpcStatus.Of(ex.Kind), ex.Message));
        }
        catch (PublishRejectedException ex)
        {
            throw new RpcException(new Status(DaprGrpcStatus.Of(ex.ErrorCode), ex.Message));
        }
        catch (JsonException ex)
        {
            // daprd returns json.Unmarshal's error as it is, which grpc-go sends as UNKNOWN.
            throw new RpcException(new Status(StatusCode.Unknown, ex.Message));
        }
    }
}

/// <summary>daprd's gRPC status code for each refusal the cores raise.</summary>
public static class DaprGrpcStatus
{
    /// <summary>State: dapr/dapr@3289e4d pkg/api/grpc/grpc.go stateErrorResponse, pkg/api/errors/state.go.</summary>
    public static StatusCode Of(StateErrorKind kind) => kind switch
    {
        StateErrorKind.StoreNotConfigured => StatusCode.FailedPrecondition,
        StateErrorKind.StoreNotFound or StateErrorKind.InvalidKey => StatusCode.InvalidArgument,
        StateErrorKind.ETagMismatch => StatusCode.Aborted,
        _ => StatusCode.Internal,
    };

    /// <summary>Pub/sub, by daprd's errorCode: dapr/dapr@3289e4d pkg/api/errors/pubsub.go.</summary>
    public static StatusCode Of(string errorCode) => errorCode switch
    {
        "ERR_PUBSUB_NOT_CONFIGURED" => StatusCode.FailedPrecondition,
        "ERR_PUBSUB_FORBIDDEN" => StatusCode.PermissionDenied,
        "ERR_PUBSUB_NOT_FOUND" or "ERR_PUBSUB_EMPTY" or "ERR_TOPIC_NAME_EMPTY" or "ERR_PUBSUB_REQUEST_METADATA"
            or "ERR_PUBSUB_CLOUD_EVENTS_SER" or "ERR_PUBSUB_EVENTS_SER" => StatusCode.InvalidArgument,
        _ => StatusCode.Internal,
    };
}

/// <summary>Maps the shared metadata document (daprd's HTTP JSON shape) to GetMetadataResponse.</summary>
internal static class DaprGrpcMetadata
{
    public static GetMetadataResponse ToMessage(JsonObject document)
    {
        var response = new GetMetadataResponse
        {
            Id = Text(document["id"]),
            RuntimeVersion = Text(document["runtimeVersion"]),
        };
        response.EnabledFeatures.Add(Array(document["enabledFeatures"]).Select(Text));
        foreach (var (key, value) in document["extended"] as JsonObject ?? [])
        {
            response.ExtendedMetadata[key] = Text(value);
        }

        foreach (var component in Array(document["components"]).OfType<JsonObject>())
        {
            var registered = new RegisteredComponents { Name = Text(component["name"]), Type = Text(component["type"]), Version = Text(component["version"]) };
            registered.Capabilities.Add(Array(component["capabilities"]).Select(Text));
            response.RegisteredComponents.Add(registered);
        }

        foreach (var subscription in Array(document["subscriptions"]).OfType<JsonObject>())
        {
            var message = new PubsubSubscription
            {
                PubsubName = Text(subscription["pubsubname"]),
                Topic = Text(subscription["topic"]),
                DeadLetterTopic = Text(subscription["deadLetterTopic"]),
                Type = Text(subscription["type"]) == "DECLARATIVE" ? PubsubSubscriptionType.Declarative : PubsubSubscriptionType.Programmatic,
                Rules = new PubsubSubscriptionRules(),
            };
            foreach (var (key, value) in subscription["metadata"] as JsonObject ?? [])
            {
                message.Metadata[key] = Text(value);
            }

            message.Rules.Rules.Add(Array(subscription["rules"]).OfType<JsonObject>()
                .Select(r => new PubsubSubscriptionRule { Match = Text(r["match"]), Path = Text(r["path"]) }));
            response.Subscriptions.Add(message);
        }

        if (document["appConnectionProperties"] is JsonObject app)
        {
            response.AppConnectionProperties = new AppConnectionProperties
            {
                Port = app["port"]?.GetValue<int>() ?? 0,
                Protocol = Text(app["protocol"]),
                ChannelAddress = Text(app["channelAddress"]),
            };
        }

        if (document["actorRuntime"] is JsonObject actors)
        {
            var runtime = new ActorRuntime
            {
                RuntimeStatus = Text(actors["runtimeStatus"]) == "RUNNING" ? ActorRuntime.Types.ActorRuntimeStatus.Running : ActorRuntime.Types.ActorRuntimeStatus.Initializing,
                HostReady = actors["hostReady"]?.GetValue<bool>() ?? false,
                Placement = Text(actors["placement"]),
            };
            runtime.ActiveActors.Add(Array(actors["activeActors"]).OfType<JsonObject>()
                .Select(a => new ActiveActorsCount { Type = Text(a["type"]), Count = a["count"]?.GetValue<int>() ?? 0 }));
            response.ActorRuntime = runtime;
        }

        return response;
    }

    private static string Text(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : node?.ToJsonString() ?? string.Empty;

    private static JsonArray Array(JsonNode? node) => node as JsonArray ?? [];
}
