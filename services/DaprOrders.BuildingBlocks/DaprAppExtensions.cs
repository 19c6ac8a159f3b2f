using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Dapr;
using Dapr.AspNetCore;
using Dapr.Client;
using DaprOrders.BuildingBlocks.Messaging;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
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
/// How a service becomes a Dapr app on the official SDK:
/// <code>
/// builder.AddDaprApp(ContractsJsonContext.Default, PaymentJsonContext.Default); // JSON, DaprClient, app token, EventPublisher
/// ...
/// app.UseServiceDefaults();
/// app.UseDaprApp();                     // token check, delivery contract, the SDK's CloudEvents middleware
/// app.MapSubscribeHandler().RequireDaprApp();
/// var events = app.MapTopicEndpoints(); // one group per service for its deliveries
/// events.MapPost("/orders/completed", Handle).WithTopic(TopicSubscriptions.OfType(pubsub, "order-completed", type, "deadletters"));
/// </code>
/// </summary>
public static class DaprAppExtensions
{
    /// <summary>Authorization policy of every sidecar-facing endpoint: the Dapr app token when <c>APP_API_TOKEN</c> is set.</summary>
    public const string DaprAppPolicy = "DaprApp";

    /// <summary>Name of the SDK's app-token authentication scheme (<c>AddDapr()</c> registers it under this name).</summary>
    public const string DaprAppTokenScheme = "Dapr";

    /// <summary>Route prefix of every service's topic endpoints.</summary>
    public const string EventsPrefix = "/events";

    /// <summary>
    /// Registers <see cref="DaprClient"/> (singleton) with the app's JSON options, the very object minimal APIs use, so
    /// state, events and endpoints share one serializer setup (camelCase and the service's source-generated contexts);
    /// the Dapr app-token authentication scheme (<c>dapr-api-token</c> against <c>APP_API_TOKEN</c>) with the
    /// <see cref="DaprAppPolicy"/> policy, as named scheme and policy so other schemes can sit beside them;
    /// <see cref="EventPublisher"/>; and <see cref="ServiceInvocationClient"/>.
    /// Endpoints and tokens come from <see cref="IConfiguration"/> (environment variables arrive there):
    /// <c>DAPR_GRPC_ENDPOINT</c> or <c>DAPR_GRPC_PORT</c>, <c>DAPR_HTTP_ENDPOINT</c> or <c>DAPR_HTTP_PORT</c>,
    /// <c>DAPR_API_TOKEN</c> and <c>APP_API_TOKEN</c> (Dapr docs: reference/environment), so a host can set them per app.
    /// </summary>
    /// <param name="builder">The service's host builder.</param>
    /// <param name="jsonContexts">
    /// The source-generated JSON contexts of the service's API, state and events, in this order ahead of
    /// the reflection-based resolver. Optional members are omitted rather than written as null, as in the contracts.
    /// </param>
    public static TBuilder AddDaprApp<TBuilder>(this TBuilder builder, params IJsonTypeInfoResolver[] jsonContexts)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(jsonContexts);
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            for (var i = 0; i < jsonContexts.Length; i++)
            {
                json.SerializerOptions.TypeInfoResolverChain.Insert(i, jsonContexts[i]);
            }
        });
        builder.Services.AddDaprClient((services, dapr) =>
        {
            var configuration = services.GetRequiredService<IConfiguration>();
            dapr.UseJsonSerializationOptions(services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions);
            if (Endpoint(configuration, "DAPR_GRPC_ENDPOINT", "DAPR_GRPC_PORT") is { } grpc)
            {
                dapr.UseGrpcEndpoint(grpc);
            }

            if (Endpoint(configuration, "DAPR_HTTP_ENDPOINT", "DAPR_HTTP_PORT") is { } http)
            {
                dapr.UseHttpEndpoint(http);
            }

            if (configuration["DAPR_API_TOKEN"] is { Length: > 0 } token)
            {
                dapr.UseDaprApiToken(token);
            }
        });

        builder.Services.AddAuthentication().AddDapr();
        builder.Services.AddOptions<DaprAuthenticationOptions>(DaprAppTokenScheme)
            .Configure<IConfiguration>((options, configuration) => options.Token = configuration["APP_API_TOKEN"]);
        builder.Services.AddAuthorization();
        builder.Services.AddOptions<AuthorizationOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            if (string.IsNullOrEmpty(configuration["APP_API_TOKEN"]))
            {
                // Without APP_API_TOKEN daprd sends no token: the sidecar-facing endpoints stay open, as in Dapr.
                options.AddPolicy(DaprAppPolicy, policy => policy.RequireAssertion(_ => true));
            }
            else
            {
                options.AddDapr(DaprAppPolicy);
            }
        });
        builder.Services.AddSingleton<EventPublisher>();
        builder.Services.AddSingleton(services =>
        {
            var configuration = services.GetRequiredService<IConfiguration>();
            return new ServiceInvocationClient(DaprClient.CreateInvokeHttpClient(
                daprEndpoint: Endpoint(configuration, "DAPR_HTTP_ENDPOINT", "DAPR_HTTP_PORT"),
                daprApiToken: configuration["DAPR_API_TOKEN"] is { Length: > 0 } token ? token : null));
        });
        return builder;
    }

    /// <summary>
    /// The app side of the sidecar: authentication and authorization (after the service defaults, so a refused token
    /// is answered 401 problem+json), the delivery contract of <see cref="TopicDeliveryMiddleware"/>, then the SDK's
    /// CloudEvents middleware, which hands topic endpoints the event's data and forwards its id, type, source and
    /// trace id as <c>Cloudevent.*</c> headers. Endpoints marked <see cref="ReceiveCloudEventEnvelope{TBuilder}"/>
    /// get the CloudEvent itself.
    /// </summary>
    public static WebApplication UseDaprApp(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<TopicDeliveryMiddleware>();
        app.UseWhen(context => context.GetEndpoint()?.Metadata.GetMetadata<CloudEventEnvelope>() is null,
            branch => branch.UseCloudEvents(new CloudEventsMiddlewareOptions
            {
                ForwardCloudEventPropertiesAsHeaders = true,
                IncludedCloudEventPropertiesAsHeaders = ["id", "type", "source", "traceid"],
            }));
        return app;
    }

    /// <summary>Requires the Dapr app token (when configured) on sidecar-facing endpoints outside <see cref="MapTopicEndpoints"/>.</summary>
    public static TBuilder RequireDaprApp<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(DaprAppPolicy);

    /// <summary>
    /// The group that holds a service's topic endpoints, under <see cref="EventsPrefix"/>: sidecar-facing (app token),
    /// not part of the public API description. Declare each endpoint's subscription with
    /// <c>WithTopic(</c><see cref="TopicSubscriptions"/><c>...)</c>, and answer with <see cref="TopicResponse"/>.
    /// </summary>
    public static RouteGroupBuilder MapTopicEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var events = endpoints.MapGroup(EventsPrefix).ExcludeFromDescription().RequireDaprApp();
        // Runs once the delivery is read and bound: a failure before this point is an undeliverable delivery (DROP).
        events.AddEndpointFilter((invocation, next) =>
        {
            if (invocation.HttpContext.Features.Get<TopicDelivery>() is { } delivery)
            {
                delivery.HandlerStarted = true;
            }

            return next(invocation);
        });
        return events;
    }

    /// <summary>Delivers the whole CloudEvent to this endpoint instead of its data (for endpoints that keep the event itself).</summary>
    public static TBuilder ReceiveCloudEventEnvelope<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(CloudEventEnvelope.Instance);

    /// <summary>
    /// For an endpoint that reads the CloudEvent itself: tags the delivery's consumer span with the event's id, type and
    /// source and links it to the trace context the event carries.
    /// </summary>
    public static void DescribeDelivery(this HttpContext context, string? id, string? type, string? source, string? traceContext)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Features.Get<TopicDelivery>()?.Describe(context, id, type, source, traceContext);
    }

    /// <summary>
    /// For a bulk endpoint: tags the delivery's consumer span with the batch size and links it to the trace context of
    /// each event of the batch.
    /// </summary>
    public static void DescribeBulkDelivery(this HttpContext context, IReadOnlyList<DeliveredEvent> events)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(events);
        context.Features.Get<TopicDelivery>()?.DescribeBatch(context, events);
    }

    internal static string? Endpoint(IConfiguration configuration, string endpointKey, string portKey) =>
        configuration[endpointKey] is { Length: > 0 } endpoint ? endpoint
        : configuration[portKey] is { Length: > 0 } port ? $"http://127.0.0.1:{port}"
        : null;

    private sealed class CloudEventEnvelope
    {
        public static readonly CloudEventEnvelope Instance = new();
    }
}
