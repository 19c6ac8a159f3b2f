using System.Reflection;
using System.Text.Json;
using Dapr.Actors.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DaprOrders.BuildingBlocks;

/// <summary>
/// How a service hosts actors on Dapr.Actors, one way in every actor host:
/// <code>
/// builder.AddDaprActors(actors => actors.Actors.RegisterActor&lt;StockActor&gt;());
/// ...
/// app.MapDaprActors();
/// </code>
/// </summary>
public static class DaprActorExtensions
{
    // daprd's default HTTP port, as the SDK assumes without DAPR_HTTP_ENDPOINT or DAPR_HTTP_PORT.
    private const string DefaultHttpEndpoint = "http://127.0.0.1:3500";

    /// <summary>
    /// <c>AddActors</c> with JSON on the wire: typed (remoting) proxies send their arguments as JSON instead of the
    /// SDK's default DataContract XML, so apps in other languages can call the actors and read their answers; and actor
    /// state, method arguments and results use the app's JSON options (the object minimal APIs and
    /// <see cref="Dapr.Client.DaprClient"/> use: camelCase and the service's source-generated contexts). The Dapr
    /// endpoint and token come from configuration, as for <see cref="DaprAppExtensions.AddDaprApp{TBuilder}"/>, also for
    /// the <see cref="ActorReminderClient"/> registered here (a sidecar takes reminders only for the types its app hosts).
    /// </summary>
    public static TBuilder AddDaprActors<TBuilder>(this TBuilder builder, Action<ActorRuntimeOptions> configure)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddActors(actors =>
        {
            actors.UseJsonSerialization = true;
            configure(actors);
        });
        builder.Services.AddOptions<ActorRuntimeOptions>()
            .Configure<IOptions<JsonOptions>>((actors, json) => actors.JsonSerializerOptions = json.Value.SerializerOptions);
        builder.Services.AddSingleton(services =>
        {
            var configuration = services.GetRequiredService<IConfiguration>();
            return ActorReminderClient.Create(
                new Uri(DaprAppExtensions.Endpoint(configuration, "DAPR_HTTP_ENDPOINT", "DAPR_HTTP_PORT") ?? DefaultHttpEndpoint),
                configuration["DAPR_API_TOKEN"]);
        });
        return builder;
    }

    /// <summary>The routes daprd calls on an actor host (<c>MapActorsHandlers</c>), behind the Dapr app token.</summary>
    public static IEndpointConventionBuilder MapDaprActors(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapActorsHandlers().RequireDaprApp().AnswerUnservableActorCalls();

    /// <summary>
    /// Calls the actor runtime can never serve get a 4xx problem instead of the SDK's 500: 404 for an actor type this app
    /// does not host, a method no actor interface declares or a timer callback the actor lacks (daprd takes 404 from
    /// an actor host as "method not found", Dapr docs: reference/api/actors_api#invoke-actor-method-1), 400 for an
    /// argument that is not JSON of the parameter's type. Nothing reaches the actor, so nothing is activated.
    /// </summary>
    public static TBuilder AnswerUnservableActorCalls<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(endpoint =>
        {
            if (endpoint.RequestDelegate is { } inner)
            {
                endpoint.RequestDelegate = context => ServeAsync(context, inner);
            }
        });
        return builder;
    }

    private static async Task ServeAsync(HttpContext context, RequestDelegate inner)
    {
        var route = context.Request.RouteValues;
        if (route["actorTypeName"] is string actorType)
        {
            var options = context.RequestServices.GetRequiredService<IOptions<ActorRuntimeOptions>>().Value;
            var registration = options.Actors.FirstOrDefault(a => a.Type.ActorTypeName == actorType);
            if (registration is null)
            {
                await NotFoundAsync(context, "Unknown actor type", $"This app does not host actor type '{actorType}'.");
                return;
            }

            if (route["methodName"] is string method
                && !registration.Type.InterfaceTypes.Any(i => i.GetMethods().Any(m => m.Name == method)))
            {
                await NotFoundAsync(context, "Unknown actor method", $"Actor type '{actorType}' has no method '{method}'.");
                return;
            }

            if (route["timerName"] is string timer && await TimerCallbackAsync(context) is { } callback
                && registration.Type.ImplementationType.GetMethod(callback, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic) is null)
            {
                await NotFoundAsync(context, "Unknown timer callback", $"Timer '{timer}' names callback '{callback}', which actor type '{actorType}' lacks.");
                return;
            }
        }

        try
        {
            await inner(context);
        }
        catch (JsonException ex) when (!context.Response.HasStarted)
        {
            await TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid actor method argument", detail: ex.Message)
                .ExecuteAsync(context);
        }
    }

    /// <summary>The <c>callback</c> of a timer fire; the body stays readable for the runtime.</summary>
    private static async Task<string?> TimerCallbackAsync(HttpContext context)
    {
        context.Request.EnableBuffering();
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
            return body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("callback", out var callback)
                ? callback.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
        finally
        {
            context.Request.Body.Position = 0;
        }
    }

    private static Task NotFoundAsync(HttpContext context, string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: title, detail: detail).ExecuteAsync(context);
}
