using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace DaprOrders.Sidecar;

/// <summary>
/// Where the Dapr sidecar listens and which tokens guard the two directions of traffic.
/// Defaults come from the variables <c>dapr run</c>, the Kubernetes injector and the Dapr SDKs use.
/// </summary>
public sealed class DaprSidecarOptions
{
    public const string HttpEndpointVariable = "DAPR_HTTP_ENDPOINT";
    public const string HttpPortVariable = "DAPR_HTTP_PORT";
    public const string ApiTokenVariable = "DAPR_API_TOKEN";
    public const string AppApiTokenVariable = "APP_API_TOKEN";
    public const string AppIdVariable = "APP_ID";
    public const int DefaultHttpPort = 3500;

    /// <summary>Base URL of the sidecar's HTTP API. Default <c>http://127.0.0.1:3500</c>.</summary>
    public Uri HttpEndpoint { get; set; } = new($"http://127.0.0.1:{DefaultHttpPort}");

    /// <summary>Sent as <c>dapr-api-token</c> on every call to the sidecar (daprd's DAPR_API_TOKEN).</summary>
    public string? ApiToken { get; set; }

    /// <summary>Expected in <c>dapr-api-token</c> on every sidecar → app call (daprd's APP_API_TOKEN).</summary>
    public string? AppApiToken { get; set; }

    /// <summary>This app's Dapr app id, when known (the Kubernetes injector does not set APP_ID).</summary>
    public string? AppId { get; set; }

    /// <summary>Upper bound for <see cref="DaprSidecarClient.WaitForSidecarAsync"/>.</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Pause between readiness probes while waiting for the sidecar.</summary>
    public TimeSpan StartupPollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Applies the Dapr variables found in <paramref name="configuration"/> (environment variables arrive there
    /// through the default configuration sources). DAPR_HTTP_ENDPOINT wins over DAPR_HTTP_PORT.
    /// </summary>
    public DaprSidecarOptions BindFrom(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        var endpoint = configuration[HttpEndpointVariable];
        var port = configuration[HttpPortVariable];
        if (!string.IsNullOrWhiteSpace(endpoint))
        {
            if (!Uri.TryCreate(endpoint.Trim(), UriKind.Absolute, out var uri))
            {
                throw new InvalidOperationException($"{HttpEndpointVariable} '{endpoint}' is not an absolute URL.");
            }

            HttpEndpoint = uri;
        }
        else if (!string.IsNullOrWhiteSpace(port))
        {
            if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var portNumber) || portNumber is < 1 or > 65535)
            {
                throw new InvalidOperationException($"{HttpPortVariable} '{port}' is not a TCP port number.");
            }

            HttpEndpoint = new Uri($"http://127.0.0.1:{portNumber.ToString(CultureInfo.InvariantCulture)}");
        }

        ApiToken = NullIfEmpty(configuration[ApiTokenVariable]) ?? ApiToken;
        AppApiToken = NullIfEmpty(configuration[AppApiTokenVariable]) ?? AppApiToken;
        AppId = NullIfEmpty(configuration[AppIdVariable]) ?? AppId;
        return this;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
