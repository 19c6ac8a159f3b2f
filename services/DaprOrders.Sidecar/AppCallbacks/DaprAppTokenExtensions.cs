using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace DaprOrders.Sidecar.AppCallbacks;

public static class DaprAppTokenExtensions
{
    /// <summary>
    /// When <see cref="DaprSidecarOptions.AppApiToken"/> (APP_API_TOKEN) is set, answers 401 problem+json unless the
    /// request carries the same value in <c>dapr-api-token</c>. It wraps the endpoint's request delegate, so it runs
    /// before parameter binding (a body is never parsed for an unauthenticated caller). Applied automatically by
    /// <c>WithTopic</c>, <c>MapDaprSubscribeHandler</c> and <c>MapDaprActors</c>.
    /// </summary>
    public static TBuilder RequireDaprAppToken<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Finally(DaprAppToken.Wrap);
        return builder;
    }
}

/// <summary>Endpoint metadata: the endpoint verifies the Dapr app token.</summary>
public sealed class DaprAppTokenRequired
{
    public static readonly DaprAppTokenRequired Instance = new();

    private DaprAppTokenRequired()
    {
    }
}

internal static class DaprAppToken
{
    /// <summary>Wraps the endpoint's request delegate with the token check, once.</summary>
    public static void Wrap(EndpointBuilder endpoint)
    {
        if (endpoint.Metadata.OfType<DaprAppTokenRequired>().Any() || endpoint.RequestDelegate is not { } inner)
        {
            return;
        }

        endpoint.Metadata.Add(DaprAppTokenRequired.Instance);
        endpoint.RequestDelegate = context => IsAuthorized(context) ? inner(context) : RejectAsync(context);
    }

    public static bool IsAuthorized(HttpContext context)
    {
        // Resolved from DI rather than IOptions<> so a missing AddDaprSidecar() fails loudly instead of silently
        // falling back to an unbound options instance without a token (which would open the endpoints).
        var verifier = context.RequestServices.GetService<DaprAppTokenVerifier>()
            ?? throw new InvalidOperationException(
                "Sidecar-facing endpoints need services.AddDaprSidecar() (it reads APP_API_TOKEN).");
        return verifier.IsAuthorized(context.Request.Headers[DaprSidecarClient.ApiTokenHeader]);
    }

    public static Task RejectAsync(HttpContext context) =>
        TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Missing or invalid Dapr app token",
                detail: "Sidecar-facing endpoints require the dapr-api-token header to match APP_API_TOKEN.")
            .ExecuteAsync(context);
}

/// <summary>Holds the expected app token bytes once, so each request only compares.</summary>
internal sealed class DaprAppTokenVerifier(IOptions<DaprSidecarOptions> options)
{
    private readonly byte[]? _expected = string.IsNullOrEmpty(options.Value.AppApiToken)
        ? null
        : Encoding.UTF8.GetBytes(options.Value.AppApiToken);

    public bool IsAuthorized(StringValues presented)
    {
        if (_expected is null)
        {
            return true;
        }

        if (presented.Count != 1 || presented[0] is not { } value)
        {
            return false;
        }

        // Constant-time over the bytes so response timing does not leak how much of the token matched.
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(value), _expected);
    }
}
