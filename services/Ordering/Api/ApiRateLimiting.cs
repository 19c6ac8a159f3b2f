using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace DaprOrders.Ordering.Api;

/// <summary>Rate limit of the public API, per client IP address (section <c>Ordering:RateLimit</c>).</summary>
public sealed class ApiRateLimitOptions
{
    public const string Section = "Ordering:RateLimit";

    public bool Enabled { get; set; } = true;

    /// <summary>Sustained requests per second per client IP.</summary>
    public int PermitsPerSecond { get; set; } = 2000;

    /// <summary>Requests a client may send at once after being idle (token bucket size).</summary>
    public int Burst { get; set; } = 4000;
}

public static class ApiRateLimiting
{
    public const string PolicyName = "public-api";

    // Replenishing ten times a second keeps the bucket smooth instead of a once-a-second cliff.
    private static readonly TimeSpan ReplenishmentPeriod = TimeSpan.FromMilliseconds(100);

    /// <summary>A token bucket per client IP; 429 problem+json when it is empty; no limit when disabled.</summary>
    public static IServiceCollection AddApiRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection(ApiRateLimitOptions.Section).Get<ApiRateLimitOptions>() ?? new ApiRateLimitOptions();
        return services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var http = context.HttpContext;
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                    detail: "The request rate limit for this client was exceeded; retry later.").ExecuteAsync(http);
            };
            limiter.AddPolicy(PolicyName, http =>
            {
                if (!settings.Enabled)
                {
                    return RateLimitPartition.GetNoLimiter("disabled");
                }

                var client = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Math.Max(1, settings.Burst),
                    TokensPerPeriod = Math.Max(1, settings.PermitsPerSecond / 10),
                    ReplenishmentPeriod = ReplenishmentPeriod,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
        });
    }
}
