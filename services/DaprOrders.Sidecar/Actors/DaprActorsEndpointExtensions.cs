using System.Text.Json;
using DaprOrders.Sidecar.AppCallbacks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprOrders.Sidecar.Actors;

public static partial class DaprActorsEndpointExtensions
{
    /// <summary>
    /// Maps the routes daprd calls on an actor host, all protected by the app token:
    /// <c>GET /dapr/config</c>, <c>PUT /actors/{type}/{id}/method/{method}</c>,
    /// <c>PUT /actors/{type}/{id}/method/remind/{name}</c>, <c>PUT /actors/{type}/{id}/method/timer/{name}</c> and
    /// <c>DELETE /actors/{type}/{id}</c>. Success is always exactly 200 (daprd treats 204 as a failed call); unknown
    /// actor types, methods and timer callbacks are 404 problem+json (daprd: permanent "method not found").
    /// Dapr docs: reference/api/actors_api#get-registered-actors (and the following "Dapr calling to user service code" sections)
    /// </summary>
    public static IEndpointConventionBuilder MapDaprActors(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(string.Empty).ExcludeFromDescription();
        group.MapGet("/dapr/config", GetConfig).RequireDaprAppToken();
        group.MapPut("/actors/{actorType}/{actorId}/method/remind/{reminderName}", ReceiveReminderAsync).RequireDaprAppToken();
        group.MapPut("/actors/{actorType}/{actorId}/method/timer/{timerName}", ReceiveTimerAsync).RequireDaprAppToken();
        group.MapPut("/actors/{actorType}/{actorId}/method/{methodName}", InvokeMethodAsync).RequireDaprAppToken();
        group.MapDelete("/actors/{actorType}/{actorId}", DeactivateAsync).RequireDaprAppToken();
        return group;
    }

    private static IResult GetConfig(ActorHost host)
    {
        var options = host.Options;
        var config = new ActorConfigWire(
            options.ActorTypes.Keys.Order(StringComparer.Ordinal).ToList(),
            DaprDuration.FormatGoDuration(options.ActorIdleTimeout),
            DaprDuration.FormatGoDuration(options.DrainOngoingCallTimeout),
            options.DrainRebalancedActors,
            new ActorReentrancyWire(options.Reentrancy.Enabled, options.Reentrancy.Enabled ? options.Reentrancy.MaxStackDepth : null));
        return TypedResults.Bytes(JsonSerializer.SerializeToUtf8Bytes(config, SidecarJsonContext.Default.ActorConfigWire), "application/json");
    }

    private static async Task<IResult> InvokeMethodAsync(HttpContext context, ActorHost host, string actorType, string actorId, string methodName)
    {
        if (!host.TryGetActorType(actorType, out var typeInfo))
        {
            return UnknownActorType(actorType);
        }

        if (!typeInfo.Methods.TryGetValue(methodName, out var method))
        {
            return NotFound("Unknown actor method", $"Actor type '{actorType}' has no method '{methodName}'.");
        }

        // Read the argument before taking the turn: a malformed body is the caller's error and must not activate the actor.
        object? argument;
        try
        {
            argument = method.ParameterType is null ? null : Deserialize(await ReadBodyAsync(context), method.ParameterType, host.JsonOptions);
        }
        catch (JsonException ex)
        {
            return InvalidArgument(ex);
        }

        return await RunAsync(context, host, typeInfo, actorId, methodName, async (actor, ct) =>
        {
            var result = await method.InvokeAsync(actor, argument, ct);
            return method.ResultType is null
                ? (IResult)TypedResults.Ok()
                : TypedResults.Bytes(JsonSerializer.SerializeToUtf8Bytes(result, host.JsonOptions.GetTypeInfo(method.ResultType)), "application/json");
        });
    }

    private static async Task<IResult> ReceiveReminderAsync(HttpContext context, ActorHost host, string actorType, string actorId, string reminderName)
    {
        if (!host.TryGetActorType(actorType, out var typeInfo))
        {
            return UnknownActorType(actorType);
        }

        if (!typeInfo.IsRemindable)
        {
            return NotFound("Actor is not remindable", $"Actor type '{actorType}' does not implement IRemindable.");
        }

        ReminderCallbackWire? reminder;
        try
        {
            reminder = await ReadJsonAsync(context, SidecarJsonContext.Default.ReminderCallbackWire);
        }
        catch (JsonException ex)
        {
            return InvalidArgument(ex);
        }

        return await RunAsync(context, host, typeInfo, actorId, "remind/" + reminderName, async (actor, ct) =>
        {
            await ((IRemindable)actor).ReceiveReminderAsync(reminderName, reminder?.Data, ct);
            return (IResult)TypedResults.Ok();
        });
    }

    private static async Task<IResult> ReceiveTimerAsync(HttpContext context, ActorHost host, string actorType, string actorId, string timerName)
    {
        if (!host.TryGetActorType(actorType, out var typeInfo))
        {
            return UnknownActorType(actorType);
        }

        TimerCallbackWire? timer;
        try
        {
            timer = await ReadJsonAsync(context, SidecarJsonContext.Default.TimerCallbackWire);
        }
        catch (JsonException ex)
        {
            return InvalidArgument(ex);
        }

        if (timer?.Callback is not { Length: > 0 } callback || !typeInfo.Methods.TryGetValue(callback, out var method))
        {
            return NotFound("Unknown timer callback",
                $"Timer '{timerName}' of actor type '{actorType}' names callback '{timer?.Callback}', which is not an actor method.");
        }

        object? argument = null;
        try
        {
            if (method.ParameterType is not null && timer.Data is { ValueKind: not JsonValueKind.Null } data)
            {
                argument = data.Deserialize(host.JsonOptions.GetTypeInfo(method.ParameterType));
            }
        }
        catch (JsonException ex)
        {
            return InvalidArgument(ex);
        }

        return await RunAsync(context, host, typeInfo, actorId, "timer/" + timerName, async (actor, ct) =>
        {
            await method.InvokeAsync(actor, argument, ct);
            return (IResult)TypedResults.Ok();
        });
    }

    private static async Task<IResult> DeactivateAsync(HttpContext context, ActorHost host, string actorType, string actorId)
    {
        if (!host.TryGetActorType(actorType, out _))
        {
            return UnknownActorType(actorType);
        }

        await host.DeactivateAsync(actorType, actorId, context.RequestAborted);
        return TypedResults.Ok();
    }

    private static async Task<IResult> RunAsync(HttpContext context, ActorHost host, ActorTypeInfo typeInfo, string actorId, string operation,
        Func<Actor, CancellationToken, Task<IResult>> work)
    {
        var reentrancyId = context.Request.Headers[DaprSidecarClient.ReentrancyIdHeader].FirstOrDefault();
        try
        {
            return await host.RunTurnAsync(typeInfo, actorId, reentrancyId, work, context.RequestAborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("DaprOrders.Sidecar.Actors.ActorHost");
            LogTurnFailed(logger, typeInfo.Name, actorId, operation, ex);
            // daprd relays status and body to the calling app.
            return TypedResults.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "Actor method failed",
                detail: $"{typeInfo.Name}.{operation} threw {ex.GetType().Name}: {ex.Message}");
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        return buffer.ToArray();
    }

    private static async Task<T?> ReadJsonAsync<T>(HttpContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        var body = await ReadBodyAsync(context);
        return body.Length == 0 ? default : JsonSerializer.Deserialize(body, typeInfo);
    }

    private static object? Deserialize(byte[] body, Type type, JsonSerializerOptions options) =>
        body.Length == 0 ? null : JsonSerializer.Deserialize(body, options.GetTypeInfo(type));

    private static IResult InvalidArgument(JsonException error) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid actor method argument", detail: error.Message);

    private static IResult UnknownActorType(string actorType) =>
        NotFound("Unknown actor type", $"This app does not host actor type '{actorType}'.");

    private static IResult NotFound(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: title, detail: detail);

    [LoggerMessage(EventId = 33, Level = LogLevel.Error, Message = "Actor turn {ActorType}/{ActorId} {Operation} failed")]
    private static partial void LogTurnFailed(ILogger logger, string actorType, string actorId, string operation, Exception exception);
}
