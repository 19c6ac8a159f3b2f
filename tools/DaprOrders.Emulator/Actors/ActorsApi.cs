using System.Globalization;
using System.Text.Json;
using DaprOrders.Emulator.Hosting;
using DaprOrders.Emulator.Resources;
using DaprOrders.Emulator.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DaprOrders.Emulator.Actors;

/// <summary>
/// The actors client API every sidecar serves (https://docs.dapr.io/reference/api/actors_api/): invoke, state, reminders and timers. Any
/// sidecar can invoke any placed actor type; state writes, reminders and timers need the type hosted by the
/// sidecar's own app, as in daprd.
/// </summary>
internal sealed class ActorsApi(
    ActorPlacement placement,
    ActorRuntime runtime,
    ActorReminders reminders,
    ActorResiliency resiliency,
    StateStoreRegistry stateStores,
    StateBuildingBlock state,
    EmulatorResources resources,
    TimeProvider timeProvider) : ISidecarApi
{
    // daprd retries "actor not found" while placement tables disseminate (DaprBuiltInActorNotFoundRetries: 5 x 1 s).
    private static readonly TimeSpan PlacementWait = TimeSpan.FromSeconds(5);

    // Reminder and timer calls block until the app's actor types are registered (after GET /dapr/config).
    private static readonly TimeSpan RegistrationWait = TimeSpan.FromSeconds(30);

    private static readonly HashSet<string> NotRelayed = new(StringComparer.OrdinalIgnoreCase) { "Date", "Server" };

    public void Map(IEndpointRouteBuilder routes, AppSidecar sidecar)
    {
        var actors = routes.MapGroup("/v1.0/actors/{actorType}/{actorId}");
        actors.MapMethods("/method/{method}", ["GET", "POST", "PUT", "DELETE"],
            (string actorType, string actorId, string method, HttpContext context) => InvokeAsync(sidecar, actorType, actorId, method, context));

        actors.MapGet("/state/{key}", (string actorType, string actorId, string key) => GetState(sidecar, actorType, actorId, key));
        actors.MapMethods("/state", ["POST", "PUT"],
            (string actorType, string actorId, HttpRequest request) => TransactStateAsync(sidecar, actorType, actorId, request));

        actors.MapMethods("/reminders/{name}", ["POST", "PUT"],
            (string actorType, string actorId, string name, HttpRequest request) => CreateReminderAsync(sidecar, actorType, actorId, name, request));
        actors.MapGet("/reminders/{name}",
            (string actorType, string actorId, string name, CancellationToken token) => GetReminderAsync(sidecar, actorType, actorId, name, token));
        actors.MapDelete("/reminders/{name}",
            (string actorType, string actorId, string name, CancellationToken token) => DeleteReminderAsync(sidecar, actorType, actorId, name, token));

        actors.MapMethods("/timers/{name}", ["POST", "PUT"],
            (string actorType, string actorId, string name, HttpRequest request) => CreateTimerAsync(sidecar, actorType, actorId, name, request));
        actors.MapDelete("/timers/{name}",
            (string actorType, string actorId, string name, CancellationToken token) => DeleteTimerAsync(sidecar, actorType, actorId, name, token));
    }

    private async Task<IResult> InvokeAsync(AppSidecar sidecar, string actorType, string actorId, string method, HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        var host = await placement.WaitForHostAsync(actorType, actorId, PlacementWait, cancellationToken);
        if (host is null)
        {
            return DaprError(500, "ERR_ACTOR_INVOKE_METHOD",
                $"error invoke actor method: did not find address for actor {actorType}/{actorId}");
        }

        var request = context.Request;
        var call = ActorCall.Method(method, await SidecarHttp.ReadBodyAsync(request), request.ContentType) with
        {
            QueryString = request.QueryString.Value ?? string.Empty,
            Headers = request.Headers.SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v ?? string.Empty))).ToList(),
            ReentrancyId = request.Headers["Dapr-Reentrancy-Id"].FirstOrDefault(),
        };

        try
        {
            var result = await resiliency.ExecuteAsync(
                sidecar.AppId,
                actorType,
                actorId,
                (timeout, token) => runtime.InvokeAsync(host, actorId, call, timeout, token),
                cancellationToken);
            return new RelayedActorResponse(result);
        }
        catch (ActorStackDepthExceededException ex)
        {
            return DaprError(500, "ERR_ACTOR_STACK_DEPTH", ex.Message);
        }
        catch (ActorInvocationException ex)
        {
            return DaprError(500, "ERR_ACTOR_INVOKE_METHOD", $"error invoke actor method: {ex.Message}");
        }
    }

    private IResult GetState(AppSidecar sidecar, string actorType, string actorId, string key)
    {
        if (stateStores.GetActorStateStore(sidecar.AppId) is not { } store)
        {
            return ActorRuntimeNotFound();
        }

        if (store.Get(StateKey(sidecar.AppId, actorType, actorId, key)) is not { } state)
        {
            return Results.NoContent();
        }

        return new StoredActorState(state);
    }

    private async Task<IResult> TransactStateAsync(AppSidecar sidecar, string actorType, string actorId, HttpRequest request)
    {
        if (stateStores.GetActorStateStoreComponent(sidecar.AppId) is not { } component)
        {
            return ActorRuntimeNotFound();
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(await SidecarHttp.ReadBodyAsync(request));
        }
        catch (JsonException ex)
        {
            return DaprError(400, "ERR_MALFORMED_REQUEST", $"failed deserializing HTTP body: {ex.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return DaprError(400, "ERR_MALFORMED_REQUEST", "failed deserializing HTTP body: the body must be a JSON array of operations");
            }

            if (!runtime.IsActive(sidecar.AppId, actorType, actorId))
            {
                return DaprError(400, "ERR_ACTOR_INSTANCE_MISSING", "actor instance is missing");
            }

            var operations = new List<StateOperation>();
            foreach (var item in document.RootElement.EnumerateArray())
            {
                var operation = GoJsonFields.String(item, "operation");
                var body = GoJsonFields.Property(item, "request") ?? default;
                var key = GoJsonFields.String(body, "key");
                var etag = GoJsonFields.String(body, "etag");
                var physicalKey = StateKey(sidecar.AppId, actorType, actorId, key);
                switch (operation)
                {
                    case "upsert":
                        if (!TryReadTtl(body, out var ttl, out var ttlError))
                        {
                            return DaprError(500, "ERR_ACTOR_STATE_TRANSACTION_SAVE", $"error saving actor transaction state: {ttlError}");
                        }

                        var value = GoJsonFields.Property(body, "value") is { } v ? v.GetRawText() : "null";
                        operations.Add(new StateOperation(StateOperationKind.Upsert, physicalKey, System.Text.Encoding.UTF8.GetBytes(value), NullIfEmpty(etag), Ttl: ttl));
                        break;
                    case "delete":
                        operations.Add(new StateOperation(StateOperationKind.Delete, physicalKey, ETag: NullIfEmpty(etag)));
                        break;
                    default:
                        return DaprError(500, "ERR_ACTOR_STATE_TRANSACTION_SAVE",
                            $"error saving actor transaction state: operation type {operation} not supported");
                }
            }

            try
            {
                // Through the actor state store's outbound policy (dapr/dapr v1.17.13 pkg/actors/state/state.go executeStateStoreTransaction).
                await state.CallStoreAsync(sidecar.AppId, component, () =>
                {
                    component.Store.Transact(operations);
                    return true;
                }, conflictIsPermanent: false, request.HttpContext.RequestAborted);
            }
            catch (Exception ex) when (ex is StateETagMismatchException or StateStoreUnavailableException)
            {
                return DaprError(500, "ERR_ACTOR_STATE_TRANSACTION_SAVE", $"error saving actor transaction state: {ex.Message}");
            }

            return Results.NoContent();
        }
    }

    private async Task<IResult> CreateReminderAsync(AppSidecar sidecar, string actorType, string actorId, string name, HttpRequest request)
    {
        if (!await HostsAsync(sidecar, actorType, request.HttpContext.RequestAborted))
        {
            return ReminderNonHosted(actorType);
        }

        var (body, error) = await ReadObjectAsync(request);
        if (error is not null)
        {
            return error;
        }

        var dueTime = GoJsonFields.String(body, "dueTime");
        var period = GoJsonFields.String(body, "period");
        var ttl = GoJsonFields.String(body, "ttl");
        var overwrite = GoJsonFields.Property(body, "overwrite") is not { ValueKind: JsonValueKind.False };
        ActorSchedule schedule;
        try
        {
            schedule = ActorSchedule.ParseReminder(dueTime, period, ttl, timeProvider.GetUtcNow());
        }
        catch (FormatException ex)
        {
            return DaprError(500, "ERR_ACTOR_REMINDER_CREATE", $"error creating actor reminder: {ex.Message}");
        }

        try
        {
            reminders.Create(
                new ActorReminderRegistration(sidecar.AppId, actorType, actorId, name, GoJsonFields.Raw(body, "data"), dueTime, period, ttl, schedule),
                overwrite);
        }
        catch (ActorReminderExistsException ex)
        {
            return DaprError(409, "ERR_ACTOR_REMINDER_ALREADY_EXISTS", ex.Message);
        }

        return Results.NoContent();
    }

    private async Task<IResult> GetReminderAsync(AppSidecar sidecar, string actorType, string actorId, string name, CancellationToken cancellationToken)
    {
        if (!await HostsAsync(sidecar, actorType, cancellationToken))
        {
            return ReminderNonHosted(actorType);
        }

        return reminders.Get(sidecar.AppId, actorType, actorId, name) is { } reminder
            ? Results.Text(reminder.ToJson().ToJsonString(), "application/json")
            : DaprError(404, "ERR_ACTOR_REMINDER_NOT_FOUND", $"reminder {name} not found");
    }

    private async Task<IResult> DeleteReminderAsync(AppSidecar sidecar, string actorType, string actorId, string name, CancellationToken cancellationToken)
    {
        if (!await HostsAsync(sidecar, actorType, cancellationToken))
        {
            return ReminderNonHosted(actorType);
        }

        reminders.Delete(sidecar.AppId, actorType, actorId, name);
        return Results.NoContent();
    }

    private async Task<IResult> CreateTimerAsync(AppSidecar sidecar, string actorType, string actorId, string name, HttpRequest request)
    {
        if (!await HostsAsync(sidecar, actorType, request.HttpContext.RequestAborted))
        {
            return DaprError(500, "ERR_ACTOR_TIMER_CREATE", $"error creating actor timer: actor type {actorType} is not hosted by app {sidecar.AppId}");
        }

        var (body, error) = await ReadObjectAsync(request);
        if (error is not null)
        {
            return error;
        }

        var dueTime = GoJsonFields.String(body, "dueTime");
        var period = GoJsonFields.String(body, "period");
        var ttl = GoJsonFields.String(body, "ttl");
        ActorSchedule schedule;
        try
        {
            schedule = ActorSchedule.Parse(dueTime, period, ttl, timeProvider.GetUtcNow(), calendarPeriodsAllowed: true);
        }
        catch (FormatException ex)
        {
            return DaprError(500, "ERR_ACTOR_TIMER_CREATE", $"error creating actor timer: {ex.Message}");
        }

        var settings = placement.HostedTypes(sidecar.AppId).First(t => t.ActorType == actorType);
        runtime.CreateTimer(
            new ActorHost(sidecar, settings),
            actorId,
            new ActorTimerRegistration(name, GoJsonFields.String(body, "callback"), GoJsonFields.Raw(body, "data"), dueTime, period, ttl, schedule));
        return Results.NoContent();
    }

    private async Task<IResult> DeleteTimerAsync(AppSidecar sidecar, string actorType, string actorId, string name, CancellationToken cancellationToken)
    {
        if (!await HostsAsync(sidecar, actorType, cancellationToken))
        {
            return DaprError(500, "ERR_ACTOR_TIMER_DELETE", $"error deleting actor timer: actor type {actorType} is not hosted by app {sidecar.AppId}");
        }

        runtime.DeleteTimer(new ActorAddress(sidecar.AppId, actorType, actorId), name);
        return Results.NoContent();
    }

    private async Task<bool> HostsAsync(AppSidecar sidecar, string actorType, CancellationToken cancellationToken)
    {
        if (!placement.IsRegistered(sidecar.AppId) && sidecar.Options.AppPort is not null)
        {
            // Real clock on purpose: this waits for the app process to open its port.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(RegistrationWait);
            // Ready, failed or timed out: either way the placement table below has the answer.
            await Task.WhenAny(sidecar.WaitUntilReadyAsync(deadline.Token));
            cancellationToken.ThrowIfCancellationRequested();
        }

        return placement.IsHostedBy(sidecar.AppId, actorType);
    }

    private bool TryReadTtl(JsonElement request, out TimeSpan? ttl, out string? error)
    {
        ttl = null;
        error = null;
        if (GoJsonFields.Property(request, "metadata") is not { ValueKind: JsonValueKind.Object } metadata
            || GoJsonFields.Property(metadata, "ttlInSeconds") is not { ValueKind: JsonValueKind.String } ttlText)
        {
            return true;
        }

        if (!resources.Configuration.IsFeatureEnabled("ActorStateTTL"))
        {
            error = "ttlInSeconds is not supported without the \"ActorStateTTL\" feature enabled";
            return false;
        }

        if (!long.TryParse(ttlText.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
        {
            error = $"incorrect value for metadata ttlInSeconds: {ttlText.GetString()}";
            return false;
        }

        // -1 (or any negative value) means "never expires".
        ttl = seconds >= 0 ? TimeSpan.FromSeconds(seconds) : null;
        return true;
    }

    private static string StateKey(string hostAppId, string actorType, string actorId, string key) =>
        $"{hostAppId}||{actorType}||{actorId}||{key}";

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static async Task<(JsonElement Body, IResult? Error)> ReadObjectAsync(HttpRequest request)
    {
        var bytes = await SidecarHttp.ReadBodyAsync(request);
        if (bytes.Length == 0)
        {
            return (default, null);
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? (document.RootElement.Clone(), null)
                : (default, DaprError(400, "ERR_MALFORMED_REQUEST", "failed deserializing HTTP body: expected a JSON object"));
        }
        catch (JsonException ex)
        {
            return (default, DaprError(400, "ERR_MALFORMED_REQUEST", $"failed deserializing HTTP body: {ex.Message}"));
        }
    }

    private static IResult ActorRuntimeNotFound() => DaprError(500, "ERR_ACTOR_RUNTIME_NOT_FOUND",
        "the state store is not configured to use the actor runtime. Have you set the - name: actorStateStore value: \"true\" in your state store component file?");

    private static IResult ReminderNonHosted(string actorType) => DaprError(403, "ERR_ACTOR_REMINDER_NON_HOSTED",
        $"operations on actor reminders are only supported on sidecars which host the actor type {actorType}");

    private static IResult DaprError(int status, string errorCode, string message) =>
        Results.Json(new Dictionary<string, string> { ["errorCode"] = errorCode, ["message"] = message }, JsonSerializerOptions.Default, statusCode: status);

    /// <summary>The app's 200 answer passed back to the caller: status, body and headers.</summary>
    private sealed class RelayedActorResponse(ActorCallResult result) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = result.StatusCode;
            foreach (var (name, value) in result.Headers.Where(h => !NotRelayed.Contains(h.Key)))
            {
                response.Headers.Append(name, value);
            }

            if (result.ContentType is not null)
            {
                response.ContentType = result.ContentType;
            }

            await response.Body.WriteAsync(result.Body, httpContext.RequestAborted);
        }
    }

    /// <summary>200 with the stored bytes, and metadata.ttlExpireTime when the value expires.</summary>
    private sealed class StoredActorState(StoredState state) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = 200;
            response.ContentType = "application/json";
            if (state.ExpiresAt is { } expires)
            {
                response.Headers["metadata.ttlExpireTime"] = expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            }

            await response.Body.WriteAsync(state.Value, httpContext.RequestAborted);
        }
    }
}
