using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace DaprOrders.Sidecar;

public sealed partial class DaprSidecarClient
{
    /// <summary>
    /// <c>PUT /v1.0/actors/{type}/{id}/method/{method}</c> with a JSON body; the JSON response is deserialized.
    /// Dapr docs: reference/api/actors_api#invoke-actor-method
    /// </summary>
    public async Task<TResponse?> InvokeActorMethodAsync<TRequest, TResponse>(string actorType, string actorId, string methodName,
        TRequest data, JsonTypeInfo<TRequest> requestTypeInfo, JsonTypeInfo<TResponse> responseTypeInfo,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requestTypeInfo);
        ArgumentNullException.ThrowIfNull(responseTypeInfo);
        using var content = JsonBody(JsonSerializer.SerializeToUtf8Bytes(data, requestTypeInfo));
        using var response = await InvokeActorCoreAsync(actorType, actorId, methodName, content, cancellationToken);
        return await ReadJsonAsync(response, responseTypeInfo, cancellationToken);
    }

    /// <summary>Invokes an actor method without a body and reads its JSON result.</summary>
    public async Task<TResponse?> InvokeActorMethodAsync<TResponse>(string actorType, string actorId, string methodName,
        JsonTypeInfo<TResponse> responseTypeInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(responseTypeInfo);
        using var response = await InvokeActorCoreAsync(actorType, actorId, methodName, content: null, cancellationToken);
        return await ReadJsonAsync(response, responseTypeInfo, cancellationToken);
    }

    /// <summary>Invokes an actor method with a JSON body, ignoring any result.</summary>
    public async Task InvokeActorMethodAsync<TRequest>(string actorType, string actorId, string methodName,
        TRequest data, JsonTypeInfo<TRequest> requestTypeInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requestTypeInfo);
        using var content = JsonBody(JsonSerializer.SerializeToUtf8Bytes(data, requestTypeInfo));
        using var response = await InvokeActorCoreAsync(actorType, actorId, methodName, content, cancellationToken);
    }

    /// <summary>Invokes an actor method without body or result.</summary>
    public async Task InvokeActorMethodAsync(string actorType, string actorId, string methodName, CancellationToken cancellationToken = default)
    {
        using var response = await InvokeActorCoreAsync(actorType, actorId, methodName, content: null, cancellationToken);
    }

    /// <summary>Raw actor invocation: sends <paramref name="content"/> as is and returns the response (no exception for non-2xx).</summary>
    public Task<HttpResponseMessage> InvokeActorMethodWithResponseAsync(string actorType, string actorId, string methodName,
        HttpContent? content, CancellationToken cancellationToken = default)
    {
        var request = CreateActorMethodRequest(actorType, actorId, methodName);
        request.Content = content;
        return SendAsync(request, cancellationToken);
    }

    /// <summary>
    /// <c>GET /v1.0/actors/{type}/{id}/state/{key}</c>; null when daprd answers 204 (missing).
    /// Dapr docs: reference/api/actors_api#get-actor-state
    /// </summary>
    public async Task<ActorStateValue?> GetActorStateAsync(string actorType, string actorId, string key,
        CancellationToken cancellationToken = default)
    {
        using var request = CreateRequest(HttpMethod.Get,
            $"/v1.0/actors/{Segment(actorType)}/{Segment(actorId)}/state/{Segment(key)}");
        using var response = await SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return null;
        }

        await EnsureSuccessAsync(request, response, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (bytes.Length == 0)
        {
            return null;
        }

        var value = JsonSerializer.Deserialize(bytes, SidecarJsonContext.Default.JsonElement);
        DateTimeOffset? expires = null;
        if (response.Headers.NonValidated.TryGetValues("metadata.ttlExpireTime", out var ttl)
            && DateTimeOffset.TryParse(ttl.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            expires = parsed;
        }

        return new ActorStateValue(value, expires);
    }

    /// <summary>Typed <see cref="GetActorStateAsync(string, string, string, CancellationToken)"/>; default when missing.</summary>
    public async Task<T?> GetActorStateAsync<T>(string actorType, string actorId, string key, JsonTypeInfo<T> typeInfo,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        var state = await GetActorStateAsync(actorType, actorId, key, cancellationToken);
        return state is null ? default : state.Value.Deserialize(typeInfo);
    }

    /// <summary>
    /// <c>POST /v1.0/actors/{type}/{id}/state</c> with a bare JSON array of upsert/delete operations. daprd only accepts
    /// it for actors active on this sidecar (400 <c>ERR_ACTOR_INSTANCE_MISSING</c> otherwise).
    /// Dapr docs: reference/api/actors_api#actor-state-transactions
    /// </summary>
    public async Task ExecuteActorStateTransactionAsync(string actorType, string actorId, IReadOnlyList<ActorStateOperation> operations,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        IReadOnlyList<StateOperationWire> wire = operations
            .Select(op => new StateOperationWire(Format(op.Operation),
                new StateOperationRequestWire(op.Key, op.Value, Etag: null, op.Metadata, Options: null, ContentType: null)))
            .ToList();
        var body = JsonSerializer.SerializeToUtf8Bytes(wire, SidecarJsonContext.Default.IReadOnlyListStateOperationWire);
        using var request = CreateRequest(HttpMethod.Post, $"/v1.0/actors/{Segment(actorType)}/{Segment(actorId)}/state");
        request.Content = JsonBody(body);
        using var response = await SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(request, response, cancellationToken);
    }

    /// <summary>
    /// <c>POST /v1.0/actors/{type}/{id}/reminders/{name}</c>. Only works from the app that hosts the actor type.
    /// Dapr docs: reference/api/actors_api#create-actor-reminder
    /// </summary>
    public async Task RegisterActorReminderAsync(string actorType, string actorId, string reminderName,
        ActorReminderRegistration reminder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reminder);
        var wire = new ReminderRegistrationWire(reminder.DueTime?.Value, reminder.Period?.Value, reminder.Ttl?.Value, reminder.Data);
        await SendActorScheduleAsync(HttpMethod.Post, actorType, actorId, "reminders", reminderName,
            JsonSerializer.SerializeToUtf8Bytes(wire, SidecarJsonContext.Default.ReminderRegistrationWire), cancellationToken);
    }

    /// <summary><c>DELETE /v1.0/actors/{type}/{id}/reminders/{name}</c>. Dapr docs: reference/api/actors_api#delete-actor-reminder</summary>
    public Task UnregisterActorReminderAsync(string actorType, string actorId, string reminderName, CancellationToken cancellationToken = default) =>
        SendActorScheduleAsync(HttpMethod.Delete, actorType, actorId, "reminders", reminderName, body: null, cancellationToken);

    /// <summary><c>POST /v1.0/actors/{type}/{id}/timers/{name}</c>. Dapr docs: reference/api/actors_api#create-actor-timer</summary>
    public async Task RegisterActorTimerAsync(string actorType, string actorId, string timerName,
        ActorTimerRegistration timer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var wire = new TimerRegistrationWire(timer.DueTime?.Value, timer.Period?.Value, timer.Ttl?.Value, timer.Callback, timer.Data);
        await SendActorScheduleAsync(HttpMethod.Post, actorType, actorId, "timers", timerName,
            JsonSerializer.SerializeToUtf8Bytes(wire, SidecarJsonContext.Default.TimerRegistrationWire), cancellationToken);
    }

    /// <summary><c>DELETE /v1.0/actors/{type}/{id}/timers/{name}</c>. Dapr docs: reference/api/actors_api#delete-actor-timer</summary>
    public Task UnregisterActorTimerAsync(string actorType, string actorId, string timerName, CancellationToken cancellationToken = default) =>
        SendActorScheduleAsync(HttpMethod.Delete, actorType, actorId, "timers", timerName, body: null, cancellationToken);

    private HttpRequestMessage CreateActorMethodRequest(string actorType, string actorId, string methodName)
    {
        var request = CreateRequest(HttpMethod.Put,
            $"/v1.0/actors/{Segment(actorType)}/{Segment(actorId)}/method/{Segment(methodName)}");
        // Inside a reentrant actor turn the id must travel with nested calls, or daprd would queue them behind the turn.
        if (Actors.ActorTurnContext.CurrentReentrancyId is { } reentrancyId)
        {
            request.Headers.TryAddWithoutValidation(ReentrancyIdHeader, reentrancyId);
        }

        return request;
    }

    private async Task<HttpResponseMessage> InvokeActorCoreAsync(string actorType, string actorId, string methodName,
        HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = CreateActorMethodRequest(actorType, actorId, methodName);
        request.Content = content;
        var response = await SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await ReadErrorAsync(request, response, eTagMismatchOnConflict: false, cancellationToken);
            }
        }

        return response;
    }

    private async Task SendActorScheduleAsync(HttpMethod method, string actorType, string actorId, string kind, string name,
        byte[]? body, CancellationToken cancellationToken)
    {
        using var request = CreateRequest(method, $"/v1.0/actors/{Segment(actorType)}/{Segment(actorId)}/{kind}/{Segment(name)}");
        if (body is not null)
        {
            request.Content = JsonBody(body);
        }

        using var response = await SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(request, response, cancellationToken);
    }
}
