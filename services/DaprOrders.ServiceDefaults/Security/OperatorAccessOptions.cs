using Microsoft.Extensions.Options;

namespace DaprOrders.ServiceDefaults.Security;

/// <summary>
/// Who may call operator endpoints (configuration section <c>OperatorAccess</c>). Either a shared token (development,
/// small installations: a Kubernetes Secret) or, when <see cref="OperatorJwtOptions.Authority"/> is set, JWT bearer
/// tokens from an OpenID Connect provider. Neither set: no caller is an operator (the endpoints answer 401/403).
/// </summary>
public sealed class OperatorAccessOptions
{
    public const string SectionName = "OperatorAccess";

    /// <summary>The operator token callers send as <c>Authorization: Bearer &lt;token&gt;</c>.</summary>
    public string? Token { get; set; }

    public OperatorJwtOptions Jwt { get; set; } = new();
}

/// <summary>JWT bearer validation for operator calls; replaces the shared token when <see cref="Authority"/> is set.</summary>
public sealed class OperatorJwtOptions
{
    /// <summary>The OpenID Connect issuer (its discovery document supplies the signing keys), e.g. https://login.example.com/realm.</summary>
    public string? Authority { get; set; }

    /// <summary>The audience the tokens must be issued for.</summary>
    public string? Audience { get; set; }

    /// <summary>The claim that carries roles; an operator's token holds the role <c>operator</c> in it.</summary>
    public string RoleClaim { get; set; } = "roles";
}

/// <summary>
/// Checks <see cref="OperatorAccessOptions"/> when the host starts, so that a half-configured credential stops the start
/// instead of refusing every operator call later. JwtBearer reads the issuer's metadata over https only
/// (<c>RequireHttpsMetadata</c>) and, with no audience, accepts no token at all.
/// </summary>
public sealed class OperatorAccessOptionsValidator : IValidateOptions<OperatorAccessOptions>
{
    /// <summary>A shared token shorter than this is too easy to guess to guard stock counts and replays.</summary>
    public const int MinimumTokenLength = 16;

    public ValidateOptionsResult Validate(string? name, OperatorAccessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        // Empty means "no token": nobody is an operator (the endpoints answer 401/403).
        if (!string.IsNullOrEmpty(options.Token) && options.Token.Trim().Length < MinimumTokenLength)
        {
            failures.Add($"OperatorAccess:Token must be at least {MinimumTokenLength} characters (or empty for no operator).");
        }

        var jwt = options.Jwt;
        if (!string.IsNullOrEmpty(jwt.Authority))
        {
            if (!Uri.TryCreate(jwt.Authority, UriKind.Absolute, out var authority) || authority.Scheme != Uri.UriSchemeHttps)
            {
                failures.Add("OperatorAccess:Jwt:Authority must be an absolute https URI (the issuer of the operators' tokens).");
            }

            if (string.IsNullOrWhiteSpace(jwt.Audience))
            {
                failures.Add("OperatorAccess:Jwt:Audience is required when OperatorAccess:Jwt:Authority is set.");
            }

            if (string.IsNullOrWhiteSpace(jwt.RoleClaim))
            {
                failures.Add("OperatorAccess:Jwt:RoleClaim must name the claim that carries the operator role.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
