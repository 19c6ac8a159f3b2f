using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace DaprOrders.Ordering.Api;

/// <summary>Rate limit of the public API, per client IP address (section <c>Ordering:RateLimit</c>).</summary>
public sealed class ApiRateLimitOptions : IValidatableObject
{
    public const string SectionName = "Ordering:RateLimit";

    public bool Enabled { get; set; } = true;

    /// <summary>Sustained requests per second per client IP.</summary>
    public int PermitsPerSecond { get; set; } = 2000;

    /// <summary>Requests a client may send at once after being idle (token bucket size).</summary>
    public int Burst { get; set; } = 4000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Enabled && PermitsPerSecond <= 0)
        {
            yield return new ValidationResult(
                $"{SectionName}:PermitsPerSecond must be positive (it is {PermitsPerSecond}); set {SectionName}:Enabled=false for no limit.",
                [nameof(PermitsPerSecond)]);
        }
    }
}

/// <summary>Checks <see cref="ApiRateLimitOptions"/> with generated code (no reflection at start-up).</summary>
[OptionsValidator]
public sealed partial class ApiRateLimitOptionsValidator : IValidateOptions<ApiRateLimitOptions>;
