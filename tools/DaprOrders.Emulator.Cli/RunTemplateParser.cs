using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DaprOrders.Emulator.Cli;

/// <summary>
/// Reads a Dapr CLI run template (dapr.yaml; dapr/cli pkg/runfileconfig/run_file_config.go) strictly: an unknown key, a key in the wrong place
/// or a value the emulator cannot honour stops startup with an error naming the field. Keys that only tune daprd's own
/// ports or logs are accepted with a warning saying they have no effect here.
/// </summary>
public static class RunTemplateParser
{
    private static readonly HashSet<string> AppOnlyKeys =
    [
        "appID", "appDirPath", "appChannelAddress", "appPort", "daprHTTPPort", "daprGRPCPort", "daprInternalGRPCPort",
        "profilePort", "metricsPort", "unixDomainSocket", "command",
    ];

    private static readonly HashSet<string> KubernetesKeys = ["containerImage", "containerImagePullPolicy", "createService"];

    private static readonly HashSet<string> LogLevels = ["debug", "info", "warn", "error", "fatal"];

    /// <exception cref="RunTemplateException">The template is missing, malformed or asks for something the emulator does not do.</exception>
    public static RunTemplate Parse(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, "dapr.yaml") : path;
        file = Path.GetFullPath(file);
        if (!File.Exists(file))
        {
            throw new RunTemplateException($"run template '{file}' does not exist");
        }

        YamlStream yaml = new();
        try
        {
            using var reader = new StreamReader(file);
            yaml.Load(reader);
        }
        catch (YamlException ex)
        {
            throw new RunTemplateException($"{file}:{ex.Start.Line}:{ex.Start.Column}: invalid YAML: {ex.Message}");
        }

        var context = new Context(file);
        if (yaml.Documents.Count != 1 || yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new RunTemplateException($"{file}: expected one YAML document with version, common and apps");
        }

        var templateDir = Path.GetDirectoryName(file)!;
        Settings common = new();
        YamlSequenceNode? apps = null;
        foreach (var (keyNode, value) in root.Children)
        {
            var key = context.Key(keyNode, string.Empty);
            switch (key)
            {
                case "version":
                    if (context.Scalar(value, key) != "1")
                    {
                        throw context.Error(value, key, "only version 1 run templates exist");
                    }

                    break;
                case "common":
                    common = ReadSettings(context, value, "common", templateDir, allowAppKeys: false);
                    break;
                case "apps":
                    apps = value as YamlSequenceNode ?? throw context.Error(value, key, "expected a list of apps");
                    break;
                default:
                    throw context.Error(keyNode, key, "unknown field (expected version, common, apps)");
            }
        }

        if (apps is null || apps.Children.Count == 0)
        {
            throw new RunTemplateException($"{file}: apps: at least one app is required");
        }

        var resolved = new List<RunTemplateApp>();
        for (var i = 0; i < apps.Children.Count; i++)
        {
            resolved.Add(ResolveApp(context, apps.Children[i], $"apps[{i}]", templateDir, common));
        }

        foreach (var duplicate in resolved.GroupBy(a => a.AppId, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            throw new RunTemplateException($"{file}: apps: app-id '{duplicate.Key}' is used by more than one app");
        }

        return new RunTemplate(file, resolved, context.Warnings);
    }

    private static RunTemplateApp ResolveApp(Context context, YamlNode node, string field, string templateDir, Settings common)
    {
        if (node is not YamlMappingNode mapping)
        {
            throw context.Error(node, field, "expected a mapping");
        }

        var dirNode = mapping.Children.FirstOrDefault(p => p.Key is YamlScalarNode { Value: "appDirPath" }).Value
            ?? throw context.Error(node, $"{field}.appDirPath", "is required");
        var appDir = Path.GetFullPath(Path.Combine(templateDir, context.Scalar(dirNode, $"{field}.appDirPath")));
        if (!Directory.Exists(appDir))
        {
            throw context.Error(dirNode, $"{field}.appDirPath", $"directory '{appDir}' does not exist");
        }

        var app = ReadSettings(context, node, field, appDir, allowAppKeys: true);

        // Resolution order of the Dapr CLI: the app's own setting, then {appDirPath}/.dapr, then common.
        var resources = app.ResourcesPaths.Count > 0 ? app.ResourcesPaths
            : Directory.Exists(Path.Combine(appDir, ".dapr", "resources")) ? [Path.Combine(appDir, ".dapr", "resources")]
            : common.ResourcesPaths;
        var config = app.ConfigFilePath
            ?? (File.Exists(Path.Combine(appDir, ".dapr", "config.yaml")) ? Path.Combine(appDir, ".dapr", "config.yaml") : null)
            ?? common.ConfigFilePath;
        foreach (var resourcesPath in resources.Where(p => !Directory.Exists(p)))
        {
            throw new RunTemplateException($"{context.File}: {field}: resources path '{resourcesPath}' does not exist");
        }

        if (config is not null && !File.Exists(config))
        {
            throw new RunTemplateException($"{context.File}: {field}: configuration file '{config}' does not exist");
        }

        var env = new Dictionary<string, string>(common.Env, StringComparer.Ordinal);
        foreach (var (name, value) in app.Env)
        {
            env[name] = value;
        }

        return new RunTemplateApp
        {
            AppId = app.AppId ?? Path.GetFileName(appDir.TrimEnd(Path.DirectorySeparatorChar)),
            AppDirPath = appDir,
            AppPort = app.AppPort is > 0 ? app.AppPort : null,
            DaprHttpPort = app.DaprHttpPort ?? 0,
            DaprGrpcPort = app.DaprGrpcPort,
            MetricsPort = app.MetricsPort,
            Command = app.Command,
            AppChannelAddress = app.AppChannelAddress ?? "127.0.0.1",
            AppProtocol = app.AppProtocol ?? common.AppProtocol ?? "http",
            LogLevel = app.LogLevel ?? common.LogLevel ?? "info",
            ResourcesPaths = resources,
            ConfigFilePath = config,
            Env = env,
        };
    }

    private static Settings ReadSettings(Context context, YamlNode node, string section, string baseDir, bool allowAppKeys)
    {
        if (node is not YamlMappingNode mapping)
        {
            throw context.Error(node, section, "expected a mapping");
        }

        var settings = new Settings();
        var resourcesPaths = new List<string>();
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = context.Key(keyNode, section);
            var field = $"{section}.{key}";
            if (AppOnlyKeys.Contains(key) && !allowAppKeys)
            {
                throw context.Error(keyNode, field, "is only allowed per app, not in common");
            }

            switch (key)
            {
                case "appID":
                    settings.AppId = context.Scalar(value, field);
                    break;
                case "appDirPath":
                    break; // resolved by the caller
                case "appChannelAddress":
                    settings.AppChannelAddress = context.Scalar(value, field);
                    break;
                case "appPort":
                    settings.AppPort = context.Port(value, field);
                    break;
                case "daprHTTPPort":
                    settings.DaprHttpPort = context.Port(value, field);
                    break;
                case "daprGRPCPort":
                    settings.DaprGrpcPort = context.Port(value, field);
                    break;
                case "metricsPort":
                    settings.MetricsPort = context.Port(value, field);
                    context.Warn(field, "the emulator exposes no metrics; the port is passed to the app as DAPR_METRICS_PORT only");
                    break;
                case "daprInternalGRPCPort" or "profilePort":
                    context.Port(value, field);
                    context.Warn(field, "has no effect: the emulator has no internal gRPC or profiling server");
                    break;
                case "unixDomainSocket":
                    if (context.Scalar(value, field).Length > 0)
                    {
                        throw context.Error(value, field, "unix domain sockets are not supported by the emulator; use daprHTTPPort");
                    }

                    break;
                case "command":
                    settings.Command = value is YamlSequenceNode command
                        ? command.Children.Select((c, i) => context.Scalar(c, $"{field}[{i}]")).ToList()
                        : throw context.Error(value, field, "expected a list, e.g. [\"dotnet\", \"run\"]");
                    break;
                case "configFilePath":
                    settings.ConfigFilePath = Path.GetFullPath(Path.Combine(baseDir, context.Scalar(value, field)));
                    break;
                case "resourcesPath":
                    resourcesPaths.Add(Path.GetFullPath(Path.Combine(baseDir, context.Scalar(value, field))));
                    break;
                case "resourcesPaths":
                    resourcesPaths.AddRange(value is YamlSequenceNode paths
                        ? paths.Children.Select((p, i) => Path.GetFullPath(Path.Combine(baseDir, context.Scalar(p, $"{field}[{i}]"))))
                        : throw context.Error(value, field, "expected a list of folders"));
                    break;
                case "appProtocol":
                    settings.AppProtocol = context.Scalar(value, field);
                    if (settings.AppProtocol != "http")
                    {
                        throw context.Error(value, field, $"'{settings.AppProtocol}' is not supported: the emulator talks to apps over plain HTTP only");
                    }

                    break;
                case "logLevel":
                    settings.LogLevel = context.Scalar(value, field);
                    if (!LogLevels.Contains(settings.LogLevel))
                    {
                        throw context.Error(value, field, $"'{settings.LogLevel}' is not one of {string.Join(", ", LogLevels)}");
                    }

                    break;
                case "env":
                    settings.Env = value is YamlMappingNode env
                        ? env.Children.ToDictionary(p => context.Key(p.Key, field), p => context.Scalar(p.Value, $"{field}.{((YamlScalarNode)p.Key).Value}"), StringComparer.Ordinal)
                        : throw context.Error(value, field, "expected a mapping of variable names to values");
                    break;
                case "enableAppHealthCheck":
                    if (context.Bool(value, field))
                    {
                        throw context.Error(value, field, "app health checks are not emulated; remove it or set it to false");
                    }

                    break;
                case "appHealthCheckPath" or "appHealthProbeInterval" or "appHealthProbeTimeout" or "appHealthThreshold":
                    context.Scalar(value, field);
                    context.Warn(field, "has no effect: app health checks are not emulated");
                    break;
                case "enableProfiling" or "appSSL":
                    if (context.Bool(value, field))
                    {
                        throw context.Error(value, field, "is not supported by the emulator; remove it or set it to false");
                    }

                    break;
                case "enableApiLogging" or "maxBodySize" or "readBufferSize" or "runtimePath" or "daprdLogDestination":
                    context.Scalar(value, field);
                    context.Warn(field, "has no effect: it tunes the daprd process, which the emulator replaces (API bodies are limited to 4Mi, logs go to the console)");
                    break;
                case "appLogDestination":
                    var destination = context.Scalar(value, field);
                    if (destination is not ("console" or "file" or "fileAndConsole"))
                    {
                        throw context.Error(value, field, "expected console, file or fileAndConsole");
                    }

                    if (destination != "console")
                    {
                        context.Warn(field, "app output goes to the console only");
                    }

                    break;
                case "apiListenAddresses" or "appMaxConcurrency" or "placementHostAddress" or "schedulerHostAddress":
                    throw context.Error(keyNode, field, "is not supported by the emulator (it listens on 127.0.0.1 and runs placement and reminders in-process)");
                default:
                    throw KubernetesKeys.Contains(key)
                        ? context.Error(keyNode, field, "applies to Kubernetes mode only (dapr run -k), which the emulator does not run")
                        : context.Error(keyNode, field, "unknown field");
            }
        }

        settings.ResourcesPaths = resourcesPaths;
        return settings;
    }

    /// <summary>Settings read from common or from one app; null means "not set here" (zero values inherit from common).</summary>
    private sealed class Settings
    {
        public string? AppId { get; set; }

        public string? AppChannelAddress { get; set; }

        public int? AppPort { get; set; }

        public int? DaprHttpPort { get; set; }

        public int? DaprGrpcPort { get; set; }

        public int? MetricsPort { get; set; }

        public IReadOnlyList<string> Command { get; set; } = [];

        public string? ConfigFilePath { get; set; }

        public IReadOnlyList<string> ResourcesPaths { get; set; } = [];

        public string? AppProtocol { get; set; }

        public string? LogLevel { get; set; }

        public IReadOnlyDictionary<string, string> Env { get; set; } = new Dictionary<string, string>();
    }

    private sealed class Context(string file)
    {
        public string File { get; } = file;

        public List<string> Warnings { get; } = [];

        public void Warn(string field, string message) => Warnings.Add($"{field}: {message}");

        public RunTemplateException Error(YamlNode node, string field, string message) =>
            new($"{File}:{node.Start.Line}:{node.Start.Column}: {field}: {message}");

        public string Key(YamlNode node, string section) =>
            node is YamlScalarNode { Value: { } key } ? key : throw Error(node, section, "keys must be plain strings");

        public string Scalar(YamlNode node, string field) =>
            node is YamlScalarNode { Value: { } value } ? value : throw Error(node, field, "expected a single value");

        public bool Bool(YamlNode node, string field) =>
            bool.TryParse(Scalar(node, field), out var value) ? value : throw Error(node, field, "expected true or false");

        public int Port(YamlNode node, string field) =>
            int.TryParse(Scalar(node, field), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
                ? port
                : throw Error(node, field, "expected a port number");
    }
}
