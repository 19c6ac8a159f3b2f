using DaprOrders.Emulator.Diagnostics;
using DaprOrders.Emulator.Hosting;
using DaprOrders.Emulator.PubSub;
using DaprOrders.Emulator.Resiliency;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DaprOrders.Emulator.Invocation;

/// <summary>
/// Service invocation: /v1.0/invoke/{appId}/method/{path} (any verb) and the dapr-app-id header form, forwarded to the
/// target app's channel with the targets.apps resiliency policy of the calling sidecar.
/// </summary>
internal sealed class ServiceInvocationApi(EmulatedApps apps, ResiliencyPolicies resiliency) : ISidecarApi
{
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "content-length", "connection", "keep-alive", "transfer-encoding", "upgrade", "te", "trailer", "proxy-connection",
        "dapr-api-token", "dapr-app-id", "traceparent", "tracestate",
    };

    public void Map(IEndpointRouteBuilder routes, AppSidecar sidecar)
    {
        routes.Map("/v1.0/invoke/{appId}/method/{**path}", (string appId, string? path, HttpContext context) =>
            InvokeAsync(sidecar, appId, "/" + (path ?? string.Empty), context));

        // The header form: any path that no API matched, with dapr-app-id naming the target.
        routes.MapFallback((Delegate)((HttpContext context) =>
            context.Request.Headers["dapr-app-id"].FirstOrDefault() is { Length: > 0 } target
                ? InvokeAsync(sidecar, target, context.Request.Path.Value ?? "/", context)
                : Task.FromResult(Results.NotFound())));
    }

    private async Task<IResult> InvokeAsync(AppSidecar caller, string appId, string path, HttpContext context)
    {
        var targetId = appId.Split('.')[0]; // "app.namespace" addresses the same app in self-hosted mode
        var target = apps.Find(targetId);
        if (target?.AppChannel is null)
        {
            return SidecarHttp.Error(500, "ERR_DIRECT_INVOKE", $"failed to invoke, id: {appId}, err: app id {appId} is not found or has no app port");
        }

        var body = await SidecarHttp.ReadBodyAsync(context.Request);
        var trace = TraceContext.ChildOf(context.Request.Headers["traceparent"].FirstOrDefault());
        var pipeline = resiliency.ForApp(caller.AppId, targetId);
        var result = await pipeline.ExecuteAsync(
            async token =>
            {
                using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), path + context.Request.QueryString.Value);
                request.Content = new ByteArrayContent(body);
                foreach (var (name, values) in context.Request.Headers)
                {
                    if (NotForwarded.Contains(name))
                    {
                        continue;
                    }

                    if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
                    {
                        request.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
                    }
                }

                request.Headers.TryAddWithoutValidation("dapr-caller-app-id", caller.AppId);
                request.Headers.TryAddWithoutValidation("dapr-callee-app-id", targetId);
                request.Headers.TryAddWithoutValidation("traceparent", trace.TraceParent);
                if (context.Request.Headers["tracestate"].FirstOrDefault() is { Length: > 0 } traceState)
                {
                    request.Headers.TryAddWithoutValidation("tracestate", traceState);
                }

                target.Exchanges.CountDelivery(AppDelivery.Invocation);
                using var response = await target.AppChannel.SendAsync(request, token);
                var relayed = new RelayedResponse(
                    (int)response.StatusCode,
                    response.Headers.Concat(response.Content.Headers).ToList(),
                    await response.Content.ReadAsByteArrayAsync(token));
                // daprd counts 4xx/5xx responses as failures for resiliency (subject to matching.httpStatusCodes).
                return relayed.StatusCode >= 400
                    ? Attempt<RelayedResponse>.Failed(relayed, relayed.StatusCode)
                    : Attempt<RelayedResponse>.Succeeded(relayed);
            },
            context.RequestAborted);

        if (result.Value is not { } response)
        {
            return SidecarHttp.Error(500, "ERR_DIRECT_INVOKE", $"failed to invoke, id: {appId}, err: {result.Error?.Message}");
        }

        return new RelayResult(response);
    }

    private sealed record RelayedResponse(int StatusCode, List<KeyValuePair<string, IEnumerable<string>>> Headers, byte[] Body);

    private sealed class RelayResult(RelayedResponse response) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = response.StatusCode;
            foreach (var (name, values) in response.Headers)
            {
                if (!NotForwarded.Contains(name))
                {
                    httpContext.Response.Headers[name] = values.ToArray();
                }
            }

            await httpContext.Response.Body.WriteAsync(response.Body, httpContext.RequestAborted);
        }
    }
}

internal static class ServiceInvocationServiceCollectionExtensions
{
    public static IServiceCollection AddEmulatorServiceInvocation(this IServiceCollection services) =>
        services.AddSingleton<ISidecarApi, ServiceInvocationApi>();
}
