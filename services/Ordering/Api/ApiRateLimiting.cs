using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using DaprOrders.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace DaprOrders.Ordering.Api;

/// <summary>The rate limit of the public API (<see cref="PolicyName"/>), per client IP address.</summary>
public static class ApiRateLimiting
{
    public const string PolicyName = "public-api";

    /// <summary>
    /// Tokens per refill and refill period that sustain exactly <paramref name="permitsPerSecond"/>. Refilling about ten
    /// times a second keeps the bucket smooth instead of a once-a-second cliff; below 10/s one token per 1/rate second.
    /// </summary>
    public static (int TokensPerPeriod, TimeSpan Period) Refill(int permitsPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(permitsPerSecond);
        var tokens = Math.Max(1, permitsPerSecond / 10);
        return (tokens, TimeSpan.FromTicks(TimeSpan.TicksPerSecond * tokens / permitsPerSecond));
    }

    /// <summary>
    /// A token bucket per client IP; 429 problem+json when it is empty; no limit when disabled. Settings come from
    /// <see cref="ApiRateLimitOptions"/>, bound and checked at start.
    /// </summary>
    public static IServiceCollection AddApiRateLimiting(this IServiceCollection services)
    {
        services.AddValidatedOptions<ApiRateLimitOptions, ApiRateLimitOptionsValidator>(ApiRateLimitOptions.SectionName);
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<ApiRateLimitOptions>>((limiter, options) =>
        {
            var settings = options.Value;
            var refill = settings.Enabled ? Refill(settings.PermitsPerSecond) : default;
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
                    TokensPerPeriod = refill.TokensPerPeriod,
                    ReplenishmentPeriod = refill.Period,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
        });

        return services;
    }
}
