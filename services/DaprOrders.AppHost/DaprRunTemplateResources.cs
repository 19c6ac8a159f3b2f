using DaprOrders.Emulator.Cli;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DaprOrders.AppHost;

/// <summary>
/// Turns a dapr.yaml run template into Aspire resources: one "dapr" resource, the emulator serving every app's
/// sidecar (tools/DaprOrders.Emulator.Cli with --sidecars-only), and one resource per app (a project resource when its
/// appDirPath holds a .csproj, otherwise an executable running its command) with the environment the Dapr CLI
/// would give it.
/// </summary>
public static class DaprRunTemplateResources
{
    public const string SidecarsResourceName = "dapr";

    private static readonly string EmulatorProject = Path.Combine("tools", "DaprOrders.Emulator.Cli", "DaprOrders.Emulator.Cli.csproj");

    /// <exception cref="RunTemplateException">The template cannot be read, or an app has no fixed sidecar port.</exception>
    public static RunTemplate AddDaprRunTemplate(this IDistributedApplicationBuilder builder, string templatePath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var template = RunTemplateParser.Parse(templatePath);
        var repositoryRoot = Path.GetDirectoryName(template.FilePath)!;

        IResourceBuilder<IResource> sidecars = AddBuiltProject(builder, SidecarsResourceName, Path.Combine(repositoryRoot, EmulatorProject))
            .WithArgs("run", "--run-file", template.FilePath, "--sidecars-only")
            .WithHealthCheck(AddSidecarsReadyCheck(builder, template));
        foreach (var app in template.Apps)
        {
            // Fixed ports only: the apps are started by Aspire, not by the emulator, so a port the emulator picks at
            // start could not be handed to them.
            if (app.DaprHttpPort == 0 || app.DaprGrpcPort is not { } grpcPort)
            {
                throw new RunTemplateException($"{template.FilePath}: apps[{app.AppId}]: the AppHost needs fixed daprHTTPPort and daprGRPCPort");
            }

            var sidecarUrl = $"http://{app.AppChannelAddress}:{app.DaprHttpPort}";
            sidecars.WithUrl(sidecarUrl, $"{app.AppId} sidecar");
            var environment = AppEnvironment.For(app, app.DaprHttpPort, grpcPort);
            var project = Directory.GetFiles(app.AppDirPath, "*.csproj").SingleOrDefault();
            if (project is not null)
            {
                // The app's URL comes from dapr.yaml's env (ASPNETCORE_URLS), as under `dapr run`, not from launchSettings.json.
                ConfigureApp(AddBuiltProject(builder, app.AppId, project), app, environment, sidecars)
                    .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName);
            }
            else
            {
                ConfigureApp(AddExecutable(builder, app), app, environment, sidecars);
            }
        }

        return template;
    }

    /// <summary>
    /// A project the AppHost references (so building the AppHost built it), started without building it again:
    /// through the project's generated Projects.* metadata, whose SuppressBuild is true, found by its path.
    /// </summary>
    private static IResourceBuilder<ProjectResource> AddBuiltProject(IDistributedApplicationBuilder builder, string name, string projectPath)
    {
        var metadata = typeof(DaprRunTemplateResources).Assembly.GetTypes()
            .Where(t => t.Namespace == "Projects" && typeof(IProjectMetadata).IsAssignableFrom(t))
            .FirstOrDefault(t => Path.GetFullPath(((IProjectMetadata)Activator.CreateInstance(t)!).ProjectPath) == Path.GetFullPath(projectPath))
            ?? throw new RunTemplateException($"{projectPath} is not referenced by services/DaprOrders.AppHost/DaprOrders.AppHost.csproj; add a ProjectReference so the AppHost builds it");
        Action<ProjectResourceOptions> options = o => o.ExcludeLaunchProfile = true;
        var addProject = typeof(ProjectResourceBuilderExtensions).GetMethods()
            .Single(m => m.Name == nameof(ProjectResourceBuilderExtensions.AddProject) && m.IsGenericMethodDefinition
                && m.GetParameters() is [_, { ParameterType: var n }, { ParameterType: var o }] && n == typeof(string) && o == typeof(Action<ProjectResourceOptions>))
            .MakeGenericMethod(metadata);
        return (IResourceBuilder<ProjectResource>)addProject.Invoke(null, [builder, name, options])!;
    }

    private static IResourceBuilder<T> ConfigureApp<T>(
        IResourceBuilder<T> resource, RunTemplateApp app, IReadOnlyDictionary<string, string> environment, IResourceBuilder<IResource> sidecars)
        where T : IResourceWithEnvironment, IResourceWithEndpoints, IResourceWithWaitSupport
    {
        foreach (var (name, value) in environment)
        {
            resource.WithEnvironment(name, value);
        }

        if (app.AppPort is { } port)
        {
            resource.WithHttpEndpoint(port: port, isProxied: false).WithHttpHealthCheck("/healthz");
        }

        // Started once the sidecars listen: an app whose Dapr SDK gives up waiting for its sidecar (the JavaScript SDK
        // does after a minute) would otherwise die on a slow start.
        return resource.WithOtlpExporter().WithEnvironment(WithoutOtlpRetry).WithParentRelationship(sidecars).WaitFor(sidecars);
    }

    /// <summary>
    /// Aspire's AddProject switches on the OTLP exporter's in-memory retry (OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY). On
    /// Ctrl-C the dashboard, which is the OTLP endpoint, stops together with the apps, and each service's last flush
    /// retried against it until the export deadline: 7-14 s per service instead of 0.2 s, longer than the orchestrator
    /// waits before it kills `dotnet run`, which left the service running on. The dashboard lives exactly as long as
    /// the run, so there is nothing to retry for.
    /// </summary>
    private static void WithoutOtlpRetry(EnvironmentCallbackContext context)
    {
        context.EnvironmentVariables.Remove("OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY");
    }

    private static IResourceBuilder<ExecutableResource> AddExecutable(IDistributedApplicationBuilder builder, RunTemplateApp app)
    {
        if (app.Command.Count == 0)
        {
            throw new RunTemplateException($"apps[{app.AppId}]: no .csproj in {app.AppDirPath} and no command to run");
        }

        var executable = builder.AddExecutable(app.AppId, app.Command[0], app.AppDirPath, [.. app.Command.Skip(1)]);
        // A JavaScript app's packages, installed once (by hand before `dapr run -f .`).
        if (File.Exists(Path.Combine(app.AppDirPath, "package-lock.json")) && !Directory.Exists(Path.Combine(app.AppDirPath, "node_modules")))
        {
            var install = builder.AddExecutable($"{app.AppId}-npm-ci", "npm", app.AppDirPath, "ci", "--no-audit", "--no-fund", "--loglevel=error");
            executable.WaitForCompletion(install);
        }

        return executable;
    }

    private static string AddSidecarsReadyCheck(IDistributedApplicationBuilder builder, RunTemplate template)
    {
        const string name = "dapr-sidecars-ready";
        var probes = template.Apps
            .Select(a => new Uri($"http://{a.AppChannelAddress}:{a.DaprHttpPort}/v1.0/healthz/outbound"))
            .ToList();
        builder.Services.AddHealthChecks().AddCheck(name, new SidecarsReadyCheck(probes));
        return name;
    }
}

/// <summary>
/// Healthy once every emulated sidecar answers GET /v1.0/healthz/outbound with 204: it listens and its components are
/// loaded, before its app is up (https://docs.dapr.io/operations/resiliency/health-checks/sidecar-health/). The apps
/// wait for this.
/// </summary>
internal sealed class SidecarsReadyCheck(IReadOnlyList<Uri> probes) : IHealthCheck, IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var waiting = new List<string>();
        foreach (var probe in probes)
        {
            try
            {
                using var response = await _http.GetAsync(probe, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    waiting.Add(probe.Authority);
                }
            }
            catch (HttpRequestException)
            {
                waiting.Add(probe.Authority);
            }
        }

        return waiting.Count == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"sidecars not listening yet: {string.Join(", ", waiting)}");
    }

    public void Dispose() => _http.Dispose();
}
