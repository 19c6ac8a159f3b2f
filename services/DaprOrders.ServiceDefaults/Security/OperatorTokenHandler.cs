using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DaprOrders.ServiceDefaults.Security;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;token&gt;</c> against <see cref="OperatorAccessOptions.Token"/>. No bearer
/// token: no result, so the operator policy challenges with 401. A token that does not match fails authentication,
/// and the challenge then answers 403: the caller did present a credential, it just grants nothing here (retrying
/// without a different credential will not help, which is what 403 says).
/// </summary>
internal sealed class OperatorTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    IOptionsMonitor<OperatorAccessOptions> access,
    IProblemDetailsService problemDetails,
    ILoggerFactory logger,
    UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    private const string BearerPrefix = "Bearer ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) || header.Length == BearerPrefix.Length)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var presented = header[BearerPrefix.Length..].Trim();
        if (access.CurrentValue.Token is not { Length: > 0 } expected || !FixedTimeEquals(presented, expected))
        {
            return Task.FromResult(AuthenticateResult.Fail("The bearer token is not the operator token."));
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "operator"), new Claim(ClaimTypes.Role, OperatorAccess.Role)], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if ((await HandleAuthenticateOnceSafeAsync()).Failure is not null)
        {
            await WriteProblemAsync(StatusCodes.Status403Forbidden, "Operator token not accepted",
                "The bearer token does not grant operator access.");
            return;
        }

        Response.Headers.WWWAuthenticate = "Bearer realm=\"daprorders-operator\"";
        await WriteProblemAsync(StatusCodes.Status401Unauthorized, "Operator credential required",
            "Send the operator token as 'Authorization: Bearer <token>'.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status403Forbidden, "Operator role required", "The credential does not grant operator access.");

    private async Task WriteProblemAsync(int status, string title, string detail)
    {
        Response.StatusCode = status;
        await problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    // Compares hashes so neither the length nor a matching prefix of the configured token leaks through timing.
    private static bool FixedTimeEquals(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
