using DaprOrders.Emulator.Cli;

namespace DaprOrders.Emulator.Tests.Cli;

// Dapr CLI behaviour: dapr/cli pkg/runfileconfig/run_file_config.go (run template keys and resolution order) and https://docs.dapr.io/reference/environment/ (app environment).
public sealed class RunTemplateTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("run-template-").FullName;

    [Fact]
    public void A_template_resolves_paths_relative_to_the_template_and_app_dir_and_merges_common()
    {
        Directory.CreateDirectory(Path.Combine(_root, "resources"));
        Directory.CreateDirectory(Path.Combine(_root, "src", "Orders", "own-resources"));
        Directory.CreateDirectory(Path.Combine(_root, "src", "Payments", ".dapr", "resources"));
        Directory.CreateDirectory(Path.Combine(_root, "src", "Catalog"));
        File.WriteAllText(Path.Combine(_root, "config.yaml"), "kind: Configuration");
        var file = Write("""
            version: 1
            common:
              resourcesPaths: [./resources]
              configFilePath: ./config.yaml
              appProtocol: http
              logLevel: warn
              env:
                DAPR_API_TOKEN: dev-token
                SHARED: common
            apps:
              - appID: orders
                appDirPath: ./src/Orders
                appPort: 5001
                daprHTTPPort: 3501
                command: ["dotnet", "run", "--no-build"]
                resourcesPaths: [own-resources]
                logLevel: debug
                env:
                  SHARED: app
                  PORT_AS_NUMBER: 5001
              - appDirPath: ./src/Payments
              - appID: catalog
                appDirPath: src/Catalog
                appPort: 0
            """);

        var template = RunTemplateParser.Parse(file);

        var orders = template.Apps[0];
        Assert.Equal("orders", orders.AppId);
        Assert.Equal(Path.Combine(_root, "src", "Orders"), orders.AppDirPath);
        Assert.Equal(5001, orders.AppPort);
        Assert.Equal(3501, orders.DaprHttpPort);
        Assert.Equal(["dotnet", "run", "--no-build"], orders.Command);
        Assert.Equal([Path.Combine(_root, "src", "Orders", "own-resources")], orders.ResourcesPaths);
        Assert.Equal(Path.Combine(_root, "config.yaml"), orders.ConfigFilePath);
        Assert.Equal("debug", orders.LogLevel);
        Assert.Equal("app", orders.Env["SHARED"]);
        Assert.Equal("5001", orders.Env["PORT_AS_NUMBER"]);
        Assert.Equal("dev-token", orders.Env["DAPR_API_TOKEN"]);

        // appID defaults to the folder name; {appDirPath}/.dapr/resources wins over common.
        var payments = template.Apps[1];
        Assert.Equal("Payments", payments.AppId);
        Assert.Equal([Path.Combine(_root, "src", "Payments", ".dapr", "resources")], payments.ResourcesPaths);
        Assert.Equal("warn", payments.LogLevel);
        Assert.Null(payments.AppPort);

        var catalog = template.Apps[2];
        Assert.Equal([Path.Combine(_root, "resources")], catalog.ResourcesPaths);
        Assert.Null(catalog.AppPort);
        Assert.Equal(0, catalog.DaprHttpPort);
    }

    [Theory]
    [InlineData("apps:\n  - appDirPath: .\n    appPrt: 5000\n", "apps[0].appPrt: unknown field")]
    [InlineData("version: 1\nextra: true\napps:\n  - appDirPath: .\n", "extra: unknown field")]
    [InlineData("common:\n  appPort: 5000\napps:\n  - appDirPath: .\n", "common.appPort: is only allowed per app")]
    [InlineData("apps:\n  - appDirPath: .\n    appProtocol: grpc\n", "apps[0].appProtocol: 'grpc' is not supported")]
    [InlineData("apps:\n  - appDirPath: .\n    enableAppHealthCheck: true\n", "apps[0].enableAppHealthCheck")]
    [InlineData("apps:\n  - appDirPath: .\n    containerImage: orders:1\n", "apps[0].containerImage: applies to Kubernetes mode only")]
    [InlineData("apps:\n  - appID: x\n", "apps[0].appDirPath: is required")]
    [InlineData("apps:\n  - appDirPath: ./missing\n", "apps[0].appDirPath: directory")]
    [InlineData("version: 2\napps:\n  - appDirPath: .\n", "version: only version 1")]
    [InlineData("apps:\n  - appDirPath: .\n    command: dotnet run\n", "apps[0].command: expected a list")]
    public void What_the_emulator_cannot_honour_stops_startup_naming_the_field(string yaml, string expected)
    {
        var file = Write(yaml);

        var error = Assert.Throws<RunTemplateException>(() => RunTemplateParser.Parse(file));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(file, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_that_only_tune_daprd_are_accepted_with_a_warning_and_the_grpc_port_without_one()
    {
        var template = RunTemplateParser.Parse(Write("""
            apps:
              - appDirPath: .
                daprGRPCPort: 50001
                appLogDestination: fileAndConsole
                enableApiLogging: true
            """));

        Assert.Equal(50001, template.Apps[0].DaprGrpcPort);
        // The emulator serves gRPC on daprGRPCPort, so that key is no longer a warning.
        Assert.DoesNotContain(template.Warnings, w => w.StartsWith("apps[0].daprGRPCPort", StringComparison.Ordinal));
        Assert.Contains(template.Warnings, w => w.StartsWith("apps[0].appLogDestination", StringComparison.Ordinal));
        Assert.Contains(template.Warnings, w => w.StartsWith("apps[0].enableApiLogging", StringComparison.Ordinal));
    }

    [Fact]
    public void A_folder_means_its_dapr_yaml()
    {
        Write("apps:\n  - appID: only\n    appDirPath: .\n");

        Assert.Equal("only", RunTemplateParser.Parse(_root).Apps.Single().AppId);
    }

    [Fact]
    public void The_app_environment_is_what_the_dapr_cli_sets_and_template_env_wins()
    {
        var app = new RunTemplateApp
        {
            AppId = "orders",
            AppDirPath = _root,
            AppPort = 5001,
            MetricsPort = 9091,
            Env = new Dictionary<string, string> { ["APP_API_TOKEN"] = "app-token", ["APP_CHANNEL_ADDRESS"] = "localhost" },
        };

        var env = AppEnvironment.For(app, daprHttpPort: 3501, daprGrpcPort: 50001);

        Assert.Equal("orders", env["APP_ID"]);
        Assert.Equal("5001", env["APP_PORT"]);
        Assert.Equal("3501", env["DAPR_HTTP_PORT"]);
        Assert.Equal("50001", env["DAPR_GRPC_PORT"]);
        Assert.Equal("9091", env["DAPR_METRICS_PORT"]);
        Assert.Equal("http", env["APP_PROTOCOL"]);
        Assert.Equal("localhost", env["APP_CHANNEL_ADDRESS"]);
        Assert.Equal("app-token", env["APP_API_TOKEN"]);
        Assert.False(env.ContainsKey("DAPR_API_TOKEN"));
        Assert.False(env.ContainsKey("DAPR_HTTP_ENDPOINT"));

        var portless = AppEnvironment.For(app with { AppPort = null, MetricsPort = null }, 3501, 50001);
        Assert.False(portless.ContainsKey("APP_PORT"));
        Assert.False(portless.ContainsKey("DAPR_METRICS_PORT"));
    }

    [Fact]
    public void Tokens_in_env_switch_the_sidecar_tokens_on_and_override_flags_replace_resolved_paths()
    {
        Directory.CreateDirectory(Path.Combine(_root, "a", "cfg"));
        File.WriteAllText(Path.Combine(_root, "a", "cfg", "one.yaml"), "kind: Configuration");
        File.WriteAllText(Path.Combine(_root, "two.yaml"), "kind: Configuration");
        var template = RunTemplateParser.Parse(Write("""
            common:
              env: {DAPR_API_TOKEN: api, APP_API_TOKEN: app}
            apps:
              - appID: a
                appDirPath: ./a
                configFilePath: cfg/one.yaml
              - appID: b
                appDirPath: .
                configFilePath: two.yaml
            """));

        var conflict = Assert.Throws<RunTemplateException>(() => EmulatorRun.ToEmulatorOptions(template, new RunOverrides([], null)));
        Assert.Contains("configFilePath", conflict.Message, StringComparison.Ordinal);

        var options = EmulatorRun.ToEmulatorOptions(template, new RunOverrides([_root], Path.Combine(_root, "two.yaml")));
        Assert.Equal(Path.Combine(_root, "two.yaml"), options.ConfigFilePath);
        Assert.All(options.Apps, a => Assert.Equal([_root], a.ResourcesPaths));
        Assert.All(options.Apps, a => Assert.Equal("api", a.DaprApiToken));
        Assert.All(options.Apps, a => Assert.Equal("app", a.AppApiToken));
    }

    private string Write(string yaml)
    {
        var file = Path.Combine(_root, "dapr.yaml");
        File.WriteAllText(file, yaml);
        return file;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
