using System.Globalization;

namespace DaprOrders.Emulator.Cli;

/// <summary>The environment the Dapr CLI gives an app process (https://docs.dapr.io/reference/environment/), which the Dapr SDKs read.</summary>
public static class AppEnvironment
{
    /// <summary>
    /// APP_ID, APP_PORT (when set), APP_CHANNEL_ADDRESS, APP_PROTOCOL, DAPR_HTTP_PORT, DAPR_GRPC_PORT,
    /// DAPR_METRICS_PORT (when set), then the template's env entries, which win. Like the CLI, no DAPR_HTTP_ENDPOINT and
    /// no tokens unless the template's env sets them.
    /// </summary>
    public static IReadOnlyDictionary<string, string> For(RunTemplateApp app, int daprHttpPort, int daprGrpcPort)
    {
        ArgumentNullException.ThrowIfNull(app);
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["APP_ID"] = app.AppId,
            ["APP_CHANNEL_ADDRESS"] = app.AppChannelAddress,
            ["APP_PROTOCOL"] = app.AppProtocol,
            ["DAPR_HTTP_PORT"] = daprHttpPort.ToString(CultureInfo.InvariantCulture),
            ["DAPR_GRPC_PORT"] = daprGrpcPort.ToString(CultureInfo.InvariantCulture),
        };
        if (app.AppPort is { } appPort)
        {
            env["APP_PORT"] = appPort.ToString(CultureInfo.InvariantCulture);
        }

        if (app.MetricsPort is > 0 and { } metricsPort)
        {
            env["DAPR_METRICS_PORT"] = metricsPort.ToString(CultureInfo.InvariantCulture);
        }

        foreach (var (name, value) in app.Env)
        {
            env[name] = value;
        }

        return env;
    }
}
