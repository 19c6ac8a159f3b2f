using Newtonsoft.Json.Linq;

namespace DaprOrders.Deployment.Validation;

/// <summary>One app of a `dapr run -f` template.</summary>
public sealed record DaprRunApp(
    string AppId,
    string AppDirPath,
    int? AppPort,
    int? DaprHttpPort,
    IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyList<string> ResourcesPaths);

/// <summary>A parsed `dapr run -f` template (dapr/cli pkg/runfileconfig/run_file_config.go).</summary>
public sealed record DaprRunFile(string Path, IReadOnlyList<DaprRunApp> Apps, IReadOnlyList<string> CommonResourcesPaths, string? ConfigFilePath)
{
    // Keys the CLI decodes (yaml tags of RunFileConfig / App / SharedRunConfig), dapr/cli pkg/runfileconfig/run_file_config.go.
    public static readonly IReadOnlySet<string> TopLevelKeys = new HashSet<string>(StringComparer.Ordinal) { "version", "common", "apps" };

    public static readonly IReadOnlySet<string> SharedKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "configFilePath", "appProtocol", "apiListenAddresses", "enableProfiling", "logLevel", "appMaxConcurrency",
        "placementHostAddress", "schedulerHostAddress", "resourcesPath", "resourcesPaths", "appSSL", "maxBodySize",
        "readBufferSize", "enableAppHealthCheck", "appHealthCheckPath", "appHealthProbeInterval", "appHealthProbeTimeout",
        "appHealthThreshold", "enableApiLogging", "runtimePath", "env", "appLogDestination", "daprdLogDestination",
        // Kubernetes mode (dapr run -k -f)
        "containerImage", "containerImagePullPolicy", "createService",
    };

    public static readonly IReadOnlySet<string> AppOnlyKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "appID", "appDirPath", "appChannelAddress", "appPort", "daprHTTPPort", "daprGRPCPort", "daprInternalGRPCPort",
        "profilePort", "metricsPort", "unixDomainSocket", "command",
    };

    /// <summary>
    /// Linux's default ip_local_port_range starts here (Windows and macOS at 49152): ports from it go to outgoing
    /// connections and port-0 listeners, so a fixed listener there can find its port taken at start.
    /// </summary>
    public const int EphemeralRangeStart = 32768;

    public static readonly IReadOnlyList<string> PortKeys = ["appPort", "daprHTTPPort", "daprGRPCPort", "daprInternalGRPCPort", "profilePort", "metricsPort"];

    /// <summary>Parses and checks a run file: known keys only, appDirPath present and existing, unique app ids and ports, existing paths.</summary>
    public static (DaprRunFile? File, IReadOnlyList<Finding> Findings) Load(string path, string displayPath)
    {
        var findings = new List<Finding>();
        var documents = YamlResourceReader.ReadFile(path, displayPath, findings);
        if (documents.Count != 1 || documents[0].Json is not JObject root)
        {
            findings.Add(new Finding(FindingSeverity.Error, FindingCodes.RunFile, displayPath, 0, 0, "", "a run file is exactly one YAML mapping"));
            return (null, findings);
        }

        var doc = documents[0];
        var baseDirectory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        void Error(JToken? at, string message) => findings.Add(doc.Finding(FindingSeverity.Error, FindingCodes.RunFile, at, message));

        foreach (var property in root.Properties().Where(p => !TopLevelKeys.Contains(p.Name)))
        {
            Error(property, $"unknown top-level key '{property.Name}' (known: version, common, apps)");
        }

        if (root["version"] is not JValue { Type: JTokenType.Integer } version || (long)version != 1)
        {
            Error(root["version"] ?? root, "version must be 1");
        }

        var common = root["common"] as JObject ?? [];
        foreach (var property in common.Properties().Where(p => !SharedKeys.Contains(p.Name)))
        {
            Error(property, AppOnlyKeys.Contains(property.Name)
                ? $"'{property.Name}' is per-app and not allowed under common"
                : $"unknown key '{property.Name}' under common");
        }

        var commonPaths = PathList(common, baseDirectory, Error);
        var configFile = (string?)common["configFilePath"];
        if (configFile is not null && !File.Exists(System.IO.Path.Combine(baseDirectory, configFile)))
        {
            Error(common["configFilePath"], $"configFilePath '{configFile}' does not exist");
        }

        var apps = new List<DaprRunApp>();
        var ports = new Dictionary<long, string>();
        if (root["apps"] is not JArray { Count: > 0 } appArray)
        {
            Error(root["apps"] ?? root, "apps must be a non-empty list");
            return (null, findings);
        }

        foreach (var app in appArray.OfType<JObject>())
        {
            foreach (var property in app.Properties().Where(p => !SharedKeys.Contains(p.Name) && !AppOnlyKeys.Contains(p.Name)))
            {
                Error(property, $"unknown app key '{property.Name}'");
            }

            var dir = (string?)app["appDirPath"];
            var appId = (string?)app["appID"] ?? (dir is null ? "" : System.IO.Path.GetFileName(dir.TrimEnd('/')));
            if (dir is null)
            {
                Error(app, $"app '{appId}': appDirPath is required");
            }
            else if (!Directory.Exists(System.IO.Path.Combine(baseDirectory, dir)))
            {
                Error(app["appDirPath"], $"app '{appId}': appDirPath '{dir}' does not exist");
            }

            if (apps.Any(a => a.AppId == appId))
            {
                Error(app["appID"], $"app id '{appId}' is used twice");
            }

            foreach (var key in PortKeys)
            {
                if (app[key] is not { } portToken)
                {
                    continue;
                }

                if (portToken.Type != JTokenType.Integer || (long)portToken is < 1 or > 65535)
                {
                    Error(portToken, $"app '{appId}': {key} must be a port number");
                }
                else if (!ports.TryAdd((long)portToken, $"{appId}.{key}"))
                {
                    Error(portToken, $"app '{appId}': {key} {(long)portToken} is already used by {ports[(long)portToken]}");
                }
                else if ((long)portToken >= EphemeralRangeStart)
                {
                    Error(portToken, $"app '{appId}': {key} {(long)portToken} is in the ephemeral range (from {EphemeralRangeStart}), where the OS may have handed it to another socket");
                }
            }

            if (app["command"] is not JArray command || command.Count == 0 || command.Any(c => c.Type != JTokenType.String))
            {
                Error(app["command"] ?? app, $"app '{appId}': command must be a non-empty list of strings (it runs inside appDirPath)");
            }

            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in app["env"] as JObject ?? [])
            {
                env[key] = value?.ToString() ?? "";
            }

            apps.Add(new DaprRunApp(
                appId,
                dir ?? "",
                app["appPort"]?.Type == JTokenType.Integer ? (int)app["appPort"]! : null,
                app["daprHTTPPort"]?.Type == JTokenType.Integer ? (int)app["daprHTTPPort"]! : null,
                app["command"] is JArray c ? [.. c.Select(x => x.ToString())] : [],
                env,
                PathList(app, System.IO.Path.Combine(baseDirectory, dir ?? ""), Error)));
        }

        return (new DaprRunFile(displayPath, apps, commonPaths, configFile), findings);
    }

    private static List<string> PathList(JObject owner, string baseDirectory, Action<JToken?, string> error)
    {
        var paths = new List<string>();
        if (owner["resourcesPath"] is { Type: JTokenType.String } single)
        {
            paths.Add((string)single!);
        }

        if (owner["resourcesPaths"] is { } list)
        {
            if (list is not JArray array || array.Any(p => p.Type != JTokenType.String))
            {
                error(list, "resourcesPaths must be a list of folder paths");
            }
            else
            {
                paths.AddRange(array.Select(p => (string)p!));
            }
        }

        foreach (var path in paths.Where(p => !Directory.Exists(System.IO.Path.Combine(baseDirectory, p))))
        {
            error(owner["resourcesPaths"] ?? owner["resourcesPath"], $"resources path '{path}' does not exist");
        }

        return paths;
    }
}
