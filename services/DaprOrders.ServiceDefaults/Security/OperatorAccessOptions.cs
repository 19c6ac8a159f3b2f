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
