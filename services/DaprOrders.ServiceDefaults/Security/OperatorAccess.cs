using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DaprOrders.ServiceDefaults.Security;

/// <summary>
/// The one authorization rule for operator endpoints: anything that changes state outside the saga (stock counts,
/// dead-letter replay and discard). Endpoints opt in with <see cref="RequireOperator{TBuilder}"/>; the policy
/// authenticates with the operator token scheme, or with JWT bearer when <c>OperatorAccess:Jwt:Authority</c> is set,
/// so production swaps the shared token for its identity provider by configuration alone (docs/kubernetes.md,
/// "Operator access").
/// </summary>
public static class OperatorAccess
{
    /// <summary>The authorization policy operator endpoints require.</summary>
    public const string Policy = "Operator";

    /// <summary>The role an operator's principal carries (from the token scheme, or in the JWT's role claim).</summary>
    public const string Role = "operator";

    public const string TokenScheme = "OperatorToken";

    public const string JwtScheme = "OperatorJwt";

    internal static IServiceCollection AddOperatorAccess(this IServiceCollection services)
    {
        services.AddValidatedOptions<OperatorAccessOptions, OperatorAccessOptionsValidator>(OperatorAccessOptions.SectionName);

        // No default scheme: only operator endpoints authenticate, every other request skips it.
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, OperatorTokenHandler>(TokenScheme, displayName: "Operator token", configureOptions: null)
            .AddJwtBearer(JwtScheme);
        services.AddOptions<JwtBearerOptions>(JwtScheme).Configure<IOptions<OperatorAccessOptions>>((jwt, access) =>
        {
            jwt.Authority = access.Value.Jwt.Authority;
            jwt.Audience = access.Value.Jwt.Audience;
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters.RoleClaimType = access.Value.Jwt.RoleClaim;
        });

        services.AddAuthorization();
        services.AddOptions<AuthorizationOptions>().Configure<IOptions<OperatorAccessOptions>>((authorization, access) =>
            authorization.AddPolicy(Policy, policy => policy
                .AddAuthenticationSchemes(string.IsNullOrEmpty(access.Value.Jwt.Authority) ? TokenScheme : JwtScheme)
                .RequireRole(Role)));
        return services;
    }

    /// <summary>Only operators may call these endpoints: 401 without a credential, 403 with one that is not an operator's.</summary>
    public static TBuilder RequireOperator<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Policy);
}
