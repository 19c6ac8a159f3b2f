using DaprOrders.Audit.Api;
using DaprOrders.Audit.DeadLetters;
using Microsoft.AspNetCore.Http.HttpResults;
using DaprOrders.ServiceDefaults;
using DaprOrders.ServiceDefaults.Security;
using Microsoft.Extensions.Options;

namespace DaprOrders.Audit.Operations;

/// <summary>
/// The operations page: static files under <c>/ops/</c> (wwwroot/ops) and its API under <c>/ops/api/</c>. Mapped only
/// when <c>Audit:OperationsPage:Enabled</c> is true.
/// </summary>
public static class OperationsPageEndpoints
{
    private const string PagePath = "/ops";

    // The page loads only its own files and talks only to its own origin; data is never turned into markup.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IServiceCollection AddOperationsPage(this IServiceCollection services)
    {
        services.AddValidatedOptions<OperationsPageOptions, OperationsPageOptionsValidator>(OperationsPageOptions.SectionName);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, OperationsJsonContext.Default));
        services.AddScoped<OperationsBoard>();
        return services;
    }

    /// <summary>Maps the page and its API when enabled; does nothing otherwise (the paths answer 404).</summary>
    public static WebApplication MapOperationsPage(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Services.GetRequiredService<IOptions<OperationsPageOptions>>().Value.Enabled)
        {
            return app;
        }

        app.UseWhen(context => context.Request.Path.StartsWithSegments(PagePath), page =>
        {
            page.Use((context, next) =>
            {
                // Routing ignores a trailing slash, the page's relative URLs do not.
                if (context.Request.Path.Value == PagePath)
                {
                    context.Response.Redirect(PagePath + "/" + context.Request.QueryString);
                    return Task.CompletedTask;
                }

                context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
                context.Response.Headers.XContentTypeOptions = "nosniff";
                context.Response.Headers.CacheControl = "no-cache";
                return next(context);
            });
            page.UseStaticFiles();
        });

        app.MapGet(PagePath + "/", (IWebHostEnvironment environment) =>
            environment.WebRootFileProvider.GetFileInfo("ops/index.html") is { Exists: true } page
                ? Results.Stream(page.CreateReadStream(), "text/html; charset=utf-8")
                : Results.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "Operations page files are missing",
                    detail: "wwwroot/ops/index.html was not deployed with the Audit service."))
            .ExcludeFromDescription();

        var api = app.MapGroup(PagePath + "/api").WithTags("Operations page");
        api.MapGet("/snapshot", GetSnapshotAsync)
            .WithName("GetOperationsSnapshot")
            .WithSummary("Order counts, latest orders, dead letters and stock levels at this moment");
        api.MapGet("/stream", Stream)
            .WithName("StreamOperationsSnapshots")
            .WithSummary("Server-sent events: a snapshot event at once and then every SnapshotInterval");
        api.MapGet("/orders/{orderId}", GetOrderAsync)
            .WithName("GetOperationsOrder")
            .WithSummary("An order's document and its timeline, with trace links when Jaeger is configured");
        api.MapGet("/deadletters/{id}", AuditEndpoints.GetDeadLetterAsync)
            .WithName("GetOperationsDeadLetter")
            .WithSummary("One dead letter including the original CloudEvent");

        // The operator credential travels in the Authorization header, which a cross-site form cannot set and a
        // cross-site script could set only after a CORS preflight that nothing here allows.
        var actions = api.MapGroup("/deadletters/{id}").RequireOperator()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        actions.MapPost("/replay", AuditEndpoints.ReplayAsync)
            .WithName("ReplayOperationsDeadLetter")
            .WithSummary("Republish a dead letter to its original topic (the page asks for confirmation first)");
        actions.MapPost("/discard", AuditEndpoints.DiscardAsync)
            .WithName("DiscardOperationsDeadLetter")
            .WithSummary("Mark a dead letter as needing no further action (the page asks for confirmation first)");
        return app;
    }

    private static async Task<Ok<OperationsSnapshot>> GetSnapshotAsync(OperationsBoard board, CancellationToken cancellationToken) =>
        TypedResults.Ok(await board.GetSnapshotAsync(cancellationToken));

    private static ServerSentEventsResult<OperationsSnapshot> Stream(OperationsBoard board, IHostApplicationLifetime lifetime,
        CancellationToken cancellationToken) =>
        TypedResults.ServerSentEvents(board.WatchAsync(cancellationToken, lifetime.ApplicationStopping), eventType: "snapshot");

    private static async Task<Results<Ok<OrderDetailView>, ProblemHttpResult>> GetOrderAsync(string orderId, OperationsBoard board,
        CancellationToken cancellationToken) =>
        await board.GetOrderAsync(orderId, cancellationToken) is { } order
            ? TypedResults.Ok(order)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Order not found",
                detail: $"Neither Ordering nor Audit knows order '{orderId}'.");
}
