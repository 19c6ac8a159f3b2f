using Dapr.Actors.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
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
    /// <summary>
    /// <c>AddActors</c> with JSON on the wire: typed (remoting) proxies send their arguments as JSON instead of the
    /// SDK's default DataContract XML, so apps in other languages can call the actors and read their answers; and actor
    /// state, method arguments and results use the app's JSON options (the object minimal APIs and
    /// <see cref="Dapr.Client.DaprClient"/> use: camelCase and the service's source-generated contexts). The Dapr
    /// endpoint and token come from configuration, as for <see cref="DaprAppExtensions.AddDaprApp{TBuilder}"/>.
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
        return builder;
    }

    /// <summary>The routes daprd calls on an actor host (<c>MapActorsHandlers</c>), behind the Dapr app token.</summary>
    public static IEndpointConventionBuilder MapDaprActors(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapActorsHandlers().RequireDaprApp();
}
